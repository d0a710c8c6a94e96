import Synchronization
import Testing
@testable import Transport

/// `EventLoop.sleep(for:)`: `Task.sleep` on the loop's own timer.
@Suite struct EventLoopSleepTests {
    @Test func sleepsAtLeastTheDurationAndResumesOnTheLoopForALoopTask() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.loops[0]
        let (elapsed, onLoop) = try await Task(executorPreference: loop) {
            let start = ContinuousClock.now
            try await loop.sleep(for: .milliseconds(30))
            return (ContinuousClock.now - start, loop.inEventLoop)
        }.value
        #expect(elapsed >= .milliseconds(30))
        #expect(onLoop)
    }

    @Test func sleepingFromAnotherThreadWorksToo() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let start = ContinuousClock.now
        try await group.loops[0].sleep(for: .milliseconds(20))
        #expect(ContinuousClock.now - start >= .milliseconds(20))
    }

    @Test func cancellationDuringTheSleepEndsItWithCancellationError() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.loops[0]
        let started = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let sleeper = Task(executorPreference: loop) { () async -> (any Error)? in
            started.store(true, ordering: .releasing)
            defer { ended.store(true, ordering: .releasing) }
            do { try await loop.sleep(for: .seconds(600)) } catch { return error }
            return nil
        }
        try #require(try await holds(within: .seconds(10)) { started.load(ordering: .acquiring) }, "the sleeper started")
        // The sleeper arms its timer in the same loop job that set `started`; a job submitted now runs
        // after that one, so once it has run the timer is armed and the cancel comes during the sleep.
        await Task(executorPreference: loop) {}.value
        sleeper.cancel()
        // Bounded: a sleep that ignored cancellation fails here instead of hanging the run.
        let finished = try await holds(within: .seconds(10)) { ended.load(ordering: .acquiring) }
        #expect(finished, "the sleep ended within 10 s of the cancellation")
        if finished { #expect(await sleeper.value is CancellationError) }
    }

    @Test func anAlreadyCancelledTaskDoesNotSleep() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.syncShutdown() }
        let loop = group.loops[0]
        let gate = Locked<CheckedContinuation<Void, Never>?>(nil)
        let task = Task { () async -> (any Error)? in
            // Wait until cancelled, so the sleep starts with cancellation already requested.
            await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } }
            // 30 s: long enough that a sleep ignoring the cancellation fails the bound below.
            do { try await loop.sleep(for: .seconds(30)) } catch { return error }
            return nil
        }
        try #require(try await holds(within: .seconds(10)) { gate.withLock { $0 != nil } }, "the task waits at the gate")
        let start = ContinuousClock.now
        task.cancel()
        gate.withLock { $0?.resume() }
        #expect(await task.value is CancellationError)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    /// A stopped loop's timers never fire: a sleep pending on it, or started after it stopped, ends
    /// with CancellationError instead of never returning.
    @Test func sleepsEndWhenTheirLoopStops() async throws {
        let group = try EventLoopGroup(threads: 1)
        let loop = group.loops[0]
        let started = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let pending = Task { () async -> (any Error)? in
            defer { ended.store(true, ordering: .releasing) }
            started.store(true, ordering: .releasing)
            do { try await loop.sleep(for: .seconds(30)) } catch { return error }
            return nil
        }
        // Lets the sleep arm its timer first: it submits the arming job right after `started`, and a
        // job submitted after that one has run once ours has.
        try #require(try await holds(within: .seconds(10)) { started.load(ordering: .acquiring) }, "the sleep started")
        await Task(executorPreference: loop) {}.value
        group.syncShutdown()
        let finished = try await holds(within: .seconds(10)) { ended.load(ordering: .acquiring) }
        #expect(finished, "the pending sleep ended when its loop stopped")
        if finished { #expect(await pending.value is CancellationError) }

        let start = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await loop.sleep(for: .seconds(30)) }
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
