import CHTTP
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Something registered with a loop's epoll set. Called on the loop thread only.
protocol EventHandler: AnyObject {
    /// `events` is the epoll mask (EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP/EPOLLRDHUP).
    func handleEvents(_ events: UInt32)
    /// The loop is shutting down: close the descriptor and fail whatever is pending.
    func loopIsClosing()
}

/// One thread, one epoll instance. Registrations are level-triggered (see docs/transport.md).
///
/// Threading: `execute`, `schedule`, `submit` and the executor entry points may be called from any
/// thread; everything else (registering descriptors, loop-confined state of channels) runs on the
/// loop thread only. Each iteration runs three bounded phases: expired timers, ready descriptors,
/// then submitted work (closures and Swift jobs), at most `workBudget` items before polling again.
public final class EventLoop: @unchecked Sendable {
    enum Work: Sendable {
        case none
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    private struct Inbox {
        var items: [Work] = []
        var wakePending = false
    }

    public let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex(Inbox())
    private let threadID = Atomic<UInt>(0)
    private let workBudget = 4096

    // Loop-thread state.
    private var pending: [Work] = []
    private var pendingHead = 0
    private var timers = TimerHeap()
    private var timerSequence: UInt64 = 0
    private var handlers: [EventHandler?] = []
    private var stopRequested = false
    /// One read buffer per loop: channels read into it and keep only what they cannot consume yet.
    let sharedReadBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(index: Int) throws(SystemError) {
        self.index = index
        epollFD = try syscallValue("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        wakeFD = try syscallValue("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        var ev = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFD))
        _ = try syscallValue("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &ev) }
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        sharedReadBuffer.deallocate()
    }

    /// True when called on this loop's thread.
    public var inEventLoop: Bool { threadID.load(ordering: .relaxed) == UInt(bitPattern: Int(pthread_self())) }

    // MARK: Submitting work

    /// Runs `body` on the loop thread, after what is already queued. From the loop thread itself no
    /// lock and no wake-up are needed.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        submit(.closure(body))
    }

    func submit(_ work: Work) {
        if inEventLoop {
            pending.append(work)
            return
        }
        let mustWake = inbox.withLock { box -> Bool in
            box.items.append(work)
            defer { box.wakePending = true }
            return !box.wakePending
        }
        if mustWake {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// Runs `body` on the loop and returns its result to the caller.
    public func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            execute { cont.resume(with: Result { try body() }) }
        }
    }

    /// Schedules `action` after `delay`. Returns a handle whose `cancel()` works from any thread.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> LoopTimer {
        let deadline = monotonicNanos() &+ delay.nanoseconds
        if inEventLoop { return scheduleOnLoop(deadline: deadline, action) }
        let timer = LoopTimer(loop: self, deadline: deadline, sequence: 0, action: action)
        execute {
            timer.sequence = self.nextSequence()
            self.timers.push(timer)
        }
        return timer
    }

    func scheduleOnLoop(deadline: UInt64, _ action: @escaping () -> Void) -> LoopTimer {
        let timer = LoopTimer(loop: self, deadline: deadline, sequence: nextSequence(), action: action)
        timers.push(timer)
        return timer
    }

    private func nextSequence() -> UInt64 {
        timerSequence &+= 1
        return timerSequence
    }

    // MARK: Descriptors (loop thread only)

    func register(_ fd: Int32, events: UInt32, handler: EventHandler) throws(SystemError) {
        precondition(inEventLoop)
        if Int(fd) >= handlers.count { handlers.append(contentsOf: repeatElement(nil, count: Int(fd) + 64 - handlers.count)) }
        var ev = epoll_event(events: events, data: epoll_data_t(fd: fd))
        _ = try syscallValue("epoll_ctl(ADD)") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &ev) }
        handlers[Int(fd)] = handler
    }

    func modify(_ fd: Int32, events: UInt32) {
        var ev = epoll_event(events: events, data: epoll_data_t(fd: fd))
        _ = try? syscallValue("epoll_ctl(MOD)") { epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &ev) }
    }

    /// Removes the descriptor from the epoll set; the caller closes it afterwards.
    func deregister(_ fd: Int32) {
        precondition(inEventLoop)
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    // MARK: Running

    /// Asks the loop to finish its current iteration, close every registered descriptor and exit.
    public func stop() {
        execute { self.stopRequested = true }
    }

    /// Spins (briefly) until the loop thread has published its id, so `inEventLoop` is exact as
    /// soon as the group's initialiser returns.
    func waitUntilRunning() {
        while threadID.load(ordering: .acquiring) == 0 { sched_yield() }
    }

    func run() {
        threadID.store(UInt(bitPattern: Int(pthread_self())), ordering: .releasing)
        let capacity: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        while !stopRequested {
            let ready = epoll_wait(epollFD, events, capacity, pollTimeoutMillis())
            runExpiredTimers()
            for i in 0..<max(0, Int(ready)) { dispatch(events[i]) }
            runPendingWork()
        }
        closeAll()
    }

    private func pollTimeoutMillis() -> Int32 {
        if pendingHead < pending.count { return 0 }
        guard let next = timers.earliest else { return -1 }
        let now = monotonicNanos()
        if next.deadline <= now { return 0 }
        // Round up so a timer never fires early and we never spin on a 0 ms timeout.
        return Int32(clamping: (next.deadline - now + 999_999) / 1_000_000)
    }

    private func runExpiredTimers() {
        let now = monotonicNanos()
        while let top = timers.earliest, top.deadline <= now || top.isCancelled {
            _ = timers.pop()
            let action = top.action
            top.action = nil
            action?()
        }
    }

    private func dispatch(_ event: epoll_event) {
        let fd = event.data.fd
        if fd == wakeFD {
            var value: UInt64 = 0
            _ = Glibc.read(wakeFD, &value, 8)
            return
        }
        if Int(fd) < handlers.count, let handler = handlers[Int(fd)] { handler.handleEvents(event.events) }
    }

    private func runPendingWork() {
        let incoming = inbox.withLock { box -> [Work] in
            box.wakePending = false
            return box.items.isEmpty ? [] : (box.items, box.items = []).0
        }
        pending.append(contentsOf: incoming)
        var budget = workBudget
        while pendingHead < pending.count && budget > 0 {
            let work = pending[pendingHead]
            pending[pendingHead] = .none
            pendingHead += 1
            budget -= 1
            run(work)
        }
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 1024 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }

    private func run(_ work: Work) {
        switch work {
        case .none: break
        case .closure(let body): body()
        case .job(let job): job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        }
    }

    private func closeAll() {
        for case let handler? in handlers { handler.loopIsClosing() }
        handlers.removeAll()
        timers.removeAll()
        // Work submitted during shutdown still runs so continuations are not leaked.
        while pendingHead < pending.count || !inbox.withLock({ $0.items.isEmpty }) { runPendingWork() }
    }
}

