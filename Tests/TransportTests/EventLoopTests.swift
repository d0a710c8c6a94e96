import Synchronization
import Testing
@testable import Transport

@Suite struct EventLoopTests {
    @Test func executeRunsOnTheLoopThreadInSubmissionOrder() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.next()
        let seen = Locked<[Int]>([])
        let onLoop = Atomic<Bool>(true)
        for i in 0..<1000 {
            loop.execute {
                if !loop.inEventLoop { onLoop.store(false, ordering: .relaxed) }
                seen.withLock { $0.append(i) }
            }
        }
        let count = try await loop.submit { seen.withLock { $0.count } }
        #expect(count == 1000)
        #expect(seen.withLock { $0 } == Array(0..<1000))
        let allOnLoop = onLoop.load(ordering: .relaxed)
        #expect(allOnLoop)
        #expect(!loop.inEventLoop)
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.next()
        let fired = Locked<[String]>([])
        try await loop.submit {
            loop.scheduleTimer(after: .milliseconds(30)) { fired.withLock { $0.append("30") } }
            loop.scheduleTimer(after: .milliseconds(10)) { fired.withLock { $0.append("10") } }
            let cancelled = loop.scheduleTimer(after: .milliseconds(20)) { fired.withLock { $0.append("20") } }
            loop.scheduleTimer(after: .milliseconds(10)) { fired.withLock { $0.append("10b") } }
            loop.cancelTimer(cancelled)
        }
        // Once the last timer has fired, a cancelled one that fired anyway would be in the list before it.
        #expect(try await holds(within: .seconds(10)) { fired.withLock { $0.contains("30") } }, "the 30 ms timer fired")
        #expect(fired.withLock { $0 } == ["10", "10b", "30"])
    }

    /// Submitted work that keeps submitting more runs in rounds, but only up to a bound between I/O
    /// polls: a chain that never ends must not starve the loop's timers.
    @Test func endlessChainOfSubmittedWorkDoesNotStarveTimers() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.next()
        let timerFired = Atomic<Bool>(false)
        let hops = Atomic<Int>(0)
        try await loop.submit {
            func hop() {
                hops.add(1, ordering: .relaxed)
                if !timerFired.load(ordering: .relaxed) { loop.defer_(hop) }
            }
            loop.scheduleTimer(after: .milliseconds(5)) { timerFired.store(true, ordering: .relaxed) }
            hop()
        }
        let fired = try await holds(within: .seconds(10)) { timerFired.load(ordering: .relaxed) }
        let hopCount = hops.load(ordering: .relaxed)
        #expect(fired, "the timer fired while the chain was running")
        #expect(hopCount > EventLoop.submittedWorkRounds, "the chain ran past one round bound")
    }

    /// A cancelled timer lets go of what its closure captured at once, not at its old deadline
    /// (closed connections' buffers used to live on for the whole connect timeout).
    @Test func cancellingATimerReleasesItsClosureAtOnce() {
        final class Payload {}
        var heap = TimerHeap()
        weak var released: Payload?
        let id: TimerID = {
            let payload = Payload()
            released = payload
            return heap.schedule(at: .max) { _ = payload }
        }()
        #expect(released != nil, "a pending timer keeps its closure")
        heap.cancel(id)
        #expect(released == nil, "cancel drops the closure and what it captured")
        #expect(heap.pendingCount == 0)
        #expect(heap.nextDeadline() == nil)
    }

    @Test func timerDoesNotFireEarly() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.next()
        let start = ContinuousClock.now
        let elapsed: Duration = try await withCheckedThrowingContinuation { continuation in
            loop.schedule(after: .milliseconds(40)) { continuation.resume(returning: ContinuousClock.now - start) }
        }
        #expect(elapsed >= .milliseconds(40))
    }

    /// An actor whose executor is the loop runs its methods on the loop thread.
    actor LoopBound {
        let loop: EventLoop
        nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
        init(loop: EventLoop) { self.loop = loop }
        func isOnLoop() -> Bool { loop.inEventLoop }
    }

    @Test func actorBoundToTheLoopRunsOnItsThread() async throws {
        let group = try EventLoopGroup(threads: 2)
        defer { group.syncShutdown() }
        let actor = LoopBound(loop: group.loops[1])
        #expect(await actor.isOnLoop())
        let onLoop = await Task(executorPreference: group.loops[0]) { group.loops[0].inEventLoop }.value
        #expect(onLoop)
    }

    @Test func shutdownStopsEveryLoopAndLateJobsStillRun() async throws {
        let group = try EventLoopGroup(threads: 2)
        let ran = Atomic<Int>(0)
        for loop in group.loops { loop.execute { ran.wrappingAdd(1, ordering: .relaxed) } }
        group.syncShutdown()
        let ranCount = ran.load(ordering: .relaxed)
        #expect(ranCount == 2)
        // A task preferring a stopped loop still completes (runs inline on the submitter).
        let value = await Task(executorPreference: group.loops[0]) { 42 }.value
        #expect(value == 42)
    }
}
