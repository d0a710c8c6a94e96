import Testing
import Synchronization
@testable import Transport

@Suite struct EventLoopTests {
    @Test func timersFireInDeadlineOrderThenScheduleOrder() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let order = Locked<[Int]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.execute {
                loop.schedule(after: .milliseconds(30)) { order.withLock { $0.append(3) } }
                loop.schedule(after: .milliseconds(10)) { order.withLock { $0.append(1) } }
                loop.schedule(after: .milliseconds(10)) { order.withLock { $0.append(2) } }
                let cancelled = loop.schedule(after: .milliseconds(20)) { order.withLock { $0.append(99) } }
                cancelled.cancel()
                loop.schedule(after: .milliseconds(40)) { done.resume() }
            }
        }
        #expect(order.withLock { $0 } == [1, 2, 3])
    }

    @Test func timerDoesNotFireEarly() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let clock = ContinuousClock()
        let start = clock.now
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            group.loops[0].schedule(after: .milliseconds(50)) { done.resume() }
        }
        #expect(clock.now - start >= .milliseconds(50))
    }

    @Test func crossThreadSubmissionsRunInOrderOnTheLoopThread() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let seen = Locked<[Int]>([])
        let wrongThread = Locked(0)
        await withTaskGroup(of: Void.self) { tasks in
            for producer in 0..<4 {
                tasks.addTask {
                    for i in 0..<500 {
                        loop.execute {
                            if !loop.inEventLoop { wrongThread.withLock { $0 += 1 } }
                            seen.withLock { $0.append(producer * 1000 + i) }
                        }
                    }
                }
            }
        }
        _ = try await loop.submit { 0 }
        let values = seen.withLock { $0 }
        #expect(values.count == 2000)
        #expect(wrongThread.withLock { $0 } == 0)
        for producer in 0..<4 {
            let mine = values.filter { $0 / 1000 == producer }
            #expect(mine == mine.sorted())
        }
    }

    @Test func submitReturnsValuesAndErrors() async throws {
        let group = EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let loop = group.next()
        #expect(try await loop.submit { loop.inEventLoop })
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await loop.submit { throw Boom() } }
    }

    @Test func shutdownRunsWorkQueuedBeforeStopAndJoins() async throws {
        let group = EventLoopGroup(loopCount: 2)
        let ran = Locked(0)
        for loop in group.loops { loop.execute { ran.withLock { $0 += 1 } } }
        group.shutdown()
        #expect(ran.withLock { $0 } == 2)
    }

    @Test func loopActsAsTaskExecutor() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let onLoop = await Task(executorPreference: loop) { () async -> Bool in
            try? await Task.sleep(for: .milliseconds(1))
            return loop.inEventLoop
        }.value
        #expect(onLoop)
    }

    actor LoopBoundCounter {
        let loop: EventLoop
        var count = 0
        init(loop: EventLoop) { self.loop = loop }
        nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
        func increment() -> Bool {
            count += 1
            return loop.inEventLoop
        }
    }

    @Test func actorsBoundToTheLoopRunOnIt() async throws {
        let group = EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let counter = LoopBoundCounter(loop: group.loops[0])
        var allOnLoop = true
        for _ in 0..<100 { allOnLoop = await counter.increment() && allOnLoop }
        #expect(allOnLoop)
        #expect(await counter.count == 100)
    }
}

/// A Sendable box around a Mutex, for state shared between test closures.
final class Locked<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { mutex.withLock { body(&$0) } }
}
