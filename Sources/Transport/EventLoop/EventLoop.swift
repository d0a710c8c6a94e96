import CSystemShims
import Glibc
import Synchronization

/// Something registered with a loop for readiness of one file descriptor.
/// Called only on the loop thread that registered it.
public protocol Selectable: AnyObject {
    /// `events` are epoll bits (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...).
    func handleEvents(_ events: UInt32)
    /// The loop is stopping: release the descriptor.
    func loopStopped()
}

/// Interest in readiness for `EventLoop.register`.
public struct Interest: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = Interest(rawValue: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
    public static let writable = Interest(rawValue: EPOLLOUT.rawValue)
}

/// One thread, one epoll instance. Each iteration runs, in order: submitted work (closures and
/// Swift jobs), I/O handlers for ready descriptors, expired timers. See docs/transport.md.
///
/// The loop is a `SerialExecutor` and a `TaskExecutor`: an actor whose `unownedExecutor` is the
/// loop's runs on the loop thread, so a connection actor and its socket callbacks share a thread.
///
/// Threading: `execute`, `enqueue`, `schedule(after:)` and `shutdown` may be called from any
/// thread. Everything marked "loop thread only" must run on this loop's thread. The class is
/// `@unchecked Sendable` because its mutable state is either confined to the loop thread
/// (selector, handlers, timers) or behind `submissions`' mutex.
public final class EventLoop: @unchecked Sendable, SerialExecutor, TaskExecutor {
    /// `@unchecked Sendable`: closures from `execute` are `@Sendable`; those from `defer_` are
    /// created on the loop thread and only ever run there.
    enum Work: @unchecked Sendable {
        case closure(() -> Void)
        /// A job of a task that prefers this loop as its task executor: run without isolation,
        /// which is what the nonisolated async code it resumes expects. Running it isolated to the
        /// loop made every resumption hop (swift_task_switch found the serial executor "wrong" and
        /// enqueued the task once more): an extra loop round per await, ~8 % of the processor's
        /// CPU at saturation (bench/RESULTS.md, issue 17).
        case job(UnownedJob)
        /// A job of an actor whose executor is this loop (`asUnownedSerialExecutor()`): run isolated.
        case isolatedJob(UnownedJob)
    }

    private struct Submissions {
        var work: [Work] = []
        /// A wake-up is already on its way; further submitters need not write the eventfd.
        var wakePending = false
        var stopRequested = false
        var stopped = false
    }

    private let selector: Selector
    /// The loop as an actor's serial executor: its jobs are `isolatedJob`s.
    private let isolation = LoopIsolation()
    private let submissions = Locked(Submissions())
    private let threadID = Atomic<UInt>(0)
    private var thread: pthread_t = 0
    // Loop thread only:
    private var handlers: [Selectable?] = []
    private var timers = TimerHeap()
    private var draining: [Work] = []
    /// Called once when the loop stops, after the work that raced with the stop (loop thread only):
    /// what waits on this loop's timers (`sleep(for:)`) is told its timer will never fire.
    private var stopObservers: [UInt64: () -> Void] = [:]
    private var nextStopObserver: UInt64 = 0
    public let index: Int

    /// Starts a loop on a new thread.
    public init(index: Int = 0) throws {
        self.index = index
        selector = try Selector()
        isolation.loop = self
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            let loop = Unmanaged<EventLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        thread = tid
    }

    /// True when called on this loop's thread.
    public var inEventLoop: Bool { pthread_self() == threadID.load(ordering: .acquiring) }

    public func preconditionInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "must run on the event loop thread", file: file, line: line)
    }

    // MARK: Submission (any thread)

    /// Runs `body` on the loop thread, after the work already submitted.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        submit(.closure(body))
    }

    /// Loop-thread variant of `execute` for non-Sendable closures: runs after the current work, in
    /// the next round of submitted work (before the next I/O poll unless the round bound is reached).
    public func defer_(_ body: @escaping () -> Void) {
        preconditionInEventLoop()
        submit(.closure(body))
    }

    /// Runs `body` on the loop and returns its result.
    public func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            execute { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Jobs of tasks that prefer this loop (`withTaskExecutorPreference`, `Task(executorPreference:)`).
    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    /// For an actor that should run on this loop's thread: its jobs run isolated to the loop.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: isolation)
    }

    fileprivate func enqueueIsolated(_ job: consuming ExecutorJob) {
        submit(.isolatedJob(UnownedJob(job)))
    }

    public func checkIsolated() {
        preconditionInEventLoop()
    }

    /// `execute`, unless the loop has stopped: then `body` is dropped and the answer is false.
    func executeIfRunning(_ body: @escaping @Sendable () -> Void) -> Bool {
        submit(.closure(body))
    }

    @discardableResult
    private func submit(_ work: Work) -> Bool {
        let (wake, stopped) = submissions.withLock { state -> (Bool, Bool) in
            if state.stopped { return (false, true) }
            state.work.append(work)
            if state.wakePending { return (false, false) }
            state.wakePending = true
            return (true, false)
        }
        if stopped {
            // The loop is gone. A Swift job must still run or its task would hang forever; a
            // closure is dropped (its resources belonged to the stopped loop).
            switch work {
            case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            case .isolatedJob(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .closure: break
            }
            return false
        }
        if wake && !inEventLoop { selector.wake() }
        return true
    }

    /// Asks the loop to stop after its current iteration; registered handlers get `loopStopped()`.
    public func requestStop() {
        let wake = submissions.withLock { state -> Bool in
            state.stopRequested = true
            return !state.stopped
        }
        if wake { selector.wake() }
    }

    /// Stops the loop and waits for its thread to end. Not from the loop thread.
    public func syncShutdown() {
        precondition(!inEventLoop, "syncShutdown from the loop's own thread would deadlock")
        requestStop()
        if thread != 0 {
            pthread_join(thread, nil)
            thread = 0
        }
    }

    // MARK: Registration (loop thread only)

    public func register(_ fd: Int32, _ interest: Interest, _ handler: Selectable) throws(SystemError) {
        preconditionInEventLoop()
        let index = Int(fd)
        if index >= handlers.count { handlers += Array(repeating: nil, count: index + 64 - handlers.count) }
        try selector.add(fd, interest.rawValue)
        handlers[index] = handler
    }

    public func setInterest(_ fd: Int32, _ interest: Interest) throws(SystemError) {
        try selector.modify(fd, interest.rawValue)
    }

    /// Removes the descriptor; the caller closes it afterwards.
    public func deregister(_ fd: Int32) {
        preconditionInEventLoop()
        selector.remove(fd)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    // MARK: Timers (loop thread only)

    @discardableResult
    public func scheduleTimer(after delay: Duration, _ body: @escaping () -> Void) -> TimerID {
        preconditionInEventLoop()
        return timers.schedule(at: MonotonicClock.now() &+ MonotonicClock.nanoseconds(delay), body)
    }

    public func cancelTimer(_ id: TimerID) {
        preconditionInEventLoop()
        timers.cancel(id)
    }

    /// Registers `body` to run once if the loop stops while it is registered; nil (and `body` is
    /// never called) when the loop is already stopping.
    func addStopObserver(_ body: @escaping () -> Void) -> UInt64? {
        preconditionInEventLoop()
        if submissions.withLock({ $0.stopped }) { return nil }
        nextStopObserver &+= 1
        stopObservers[nextStopObserver] = body
        return nextStopObserver
    }

    func removeStopObserver(_ id: UInt64) {
        preconditionInEventLoop()
        stopObservers[id] = nil
    }

    /// Schedules `body` from any thread.
    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) {
        execute { [self] in _ = scheduleTimer(after: delay, body) }
    }
}

extension EventLoop {
    private func run() {
        threadID.store(pthread_self(), ordering: .releasing)
        chttp_set_thread_name("pismo-loop-\(index)")
        while true {
            if runSubmittedWorkRounds() { break }
            selector.wait(timeoutMS: pollTimeout()) { fd, events in
                if Int(fd) < handlers.count, let handler = handlers[Int(fd)] { handler.handleEvents(events) }
            }
            runExpiredTimers()
        }
        for case let handler? in handlers { handler.loopStopped() }
        handlers = []
        // Work that raced with the stop still runs (Swift jobs must), then later submissions run
        // inline on their submitter (see `submit`).
        let rest = submissions.withLock { state -> [Work] in
            state.stopped = true
            return state.work
        }
        for work in rest { runWork(work) }
        let observers = stopObservers.values
        stopObservers = [:]
        for observer in observers { observer() }
    }

    /// Work that submits work (every `await` resumed on this loop is a job that enqueues the next)
    /// runs for up to this many rounds before I/O is polled again. One round per iteration cost an
    /// `epoll_wait(0)` per hop: 23 per event in the processor. The bound keeps a job chain from
    /// starving sockets and timers.
    static let submittedWorkRounds = 16

    /// Runs submitted work round after round until none is left, a stop is requested, or the round
    /// bound is reached. Returns true when a stop was requested.
    private func runSubmittedWorkRounds() -> Bool {
        for _ in 0..<Self.submittedWorkRounds {
            if runSubmittedWork() { return true }
            if !submissions.withLock({ !$0.work.isEmpty }) { return false }
        }
        return false
    }

    /// Runs the work submitted so far (not work it submits in turn: that is the next round).
    /// Returns true when a stop was requested.
    private func runSubmittedWork() -> Bool {
        let stop = submissions.withLock { state -> Bool in
            swap(&state.work, &draining)
            state.wakePending = false
            return state.stopRequested
        }
        for work in draining { runWork(work) }
        draining.removeAll(keepingCapacity: true)
        return stop
    }

    private func runWork(_ work: Work) {
        switch work {
        case .closure(let body): body()
        case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
        case .isolatedJob(let job): job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        }
    }

    private func pollTimeout() -> Int32 {
        let hasWork = submissions.withLock { !$0.work.isEmpty || $0.stopRequested }
        if hasWork { return 0 }
        guard let deadline = timers.nextDeadline() else { return -1 }
        let now = MonotonicClock.now()
        if deadline <= now { return 0 }
        // Round up so a timer never fires early and the loop does not spin on a 0 ms timeout.
        return Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
    }

    private func runExpiredTimers() {
        let now = MonotonicClock.now()
        while let body = timers.popExpired(now: now) { body() }
    }
}

/// The serial-executor face of an `EventLoop` (see `EventLoop.Work.isolatedJob`): a separate object
/// so that the runtime can tell an actor's jobs (run isolated) from a preferring task's (run free).
private final class LoopIsolation: SerialExecutor, @unchecked Sendable {
    /// Set once in `EventLoop.init`, before the loop's thread starts; the loop outlives its users'
    /// executor references as it always did (they were unowned references to the loop itself).
    unowned(unsafe) var loop: EventLoop?

    func enqueue(_ job: consuming ExecutorJob) { loop!.enqueueIsolated(job) }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func checkIsolated() { loop!.preconditionInEventLoop() }
}
