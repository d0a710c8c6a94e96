import Transport
import Foundation
import Testing
@testable import Pismo

/// The processor's and deliver's load-shaping rules: the batch visibility heartbeat, the bounded
/// direct-dispatch pool, and adaptive stream polling.
@Suite(.timeLimit(.minutes(1))) struct ProcessorLoadShapingTests {
    /// A store whose single put lasts until `done()` says so (or 20 s pass): one long attempt
    /// whose length is set by what the test observes, not by a guess at timings.
    final class StoreHeldUntil: EventStore {
        let done: @Sendable () -> Bool
        init(_ done: @escaping @Sendable () -> Bool) { self.done = done }
        func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
            let deadline = ContinuousClock.now + .seconds(20)
            while !done() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return .stored
        }
    }

    @Test func aLongSingleAttemptKeepsTheMessageInvisible() async throws {
        let queue = MemoryQueue([QueueMessage(messageID: "m1", receiptHandle: "rh1", body: Array(#"{"c":"acme"}"#.utf8))])
        // The attempt lasts until the heartbeat has extended visibility twice: with a heartbeat
        // that only ran between retries it would last the full 20 s and the count would stay 0.
        let store = StoreHeldUntil { queue.visibilityChanges.withLock { $0.count } >= 2 }
        let handler = MessageHandler(validator: StubValidator(), store: store,
                                     invalidEvents: MemoryDLQ(), queue: queue, visibilityTimeoutSeconds: 30,
                                     heartbeat: .milliseconds(50))
        let service = ProcessorService(queue: queue, handler: handler, pollers: 1, metrics: ProcessorMetrics(registry: MetricsRegistry()))
        let shutdown = ShutdownSignal()
        let running = Task { await service.run(until: shutdown) }
        try await eventually("the message is deleted", within: .seconds(30)) { !queue.deleted.withLock { $0.isEmpty } }
        shutdown.trigger()
        try await finished(running, "the processor stops")
        let extensions = queue.visibilityChanges.withLock { $0 }
        #expect(extensions.count >= 2, "the heartbeat runs during the attempt, not only between retries")
        #expect(extensions.allSatisfy { $0 == ("rh1", 30) })
        #expect(queue.deleted.withLock { $0 } == ["rh1"])
    }

    /// Holds every dispatch until `open()`; records what was dispatched and what handed over.
    final class GatedDispatcher: DirectDispatcher {
        let dispatched = Locked<[String]>([])
        let handedOver = Locked<[String]>([])
        let finished = Locked<[String]>([])
        let gate = ShutdownSignal()
        func dispatch(_ item: EventItem) async {
            dispatched.withLock { $0.append(item.eventID) }
            await gate.wait()
            finished.withLock { $0.append(item.eventID) }
        }
        func handOver(_ item: EventItem) async { handedOver.withLock { $0.append(item.eventID) } }
        func open() { gate.trigger() }
    }

    func items(_ range: Range<Int>) -> [EventItem] {
        range.map { EventItem(clientID: "c", eventKey: "k\($0)", eventID: "e\($0)", eventType: "t", eventTime: "t",
                              payload: [], receivedAt: "t", directDispatch: true) }
    }

    @Test func directDispatchIsBoundedAndItsGroupWaitsForStartedDispatches() async throws {
        let dispatcher = GatedDispatcher()
        let pool = DirectDispatchPool(dispatcher: dispatcher, capacity: 10)
        let groupDone = Locked(false)
        let running = Task {
            await withDiscardingTaskGroup { group in
                for item in items(0..<15) { pool.start(item, in: &group) }   // only 10 fit: 5 go to the stream path
            }
            groupDone.withLock { $0 = true }
        }
        try await eventually("10 dispatched and 5 handed over", within: .seconds(10)) {
            dispatcher.dispatched.withLock { $0.count } >= 10 && dispatcher.handedOver.withLock { $0.count } >= 5
        }
        #expect(pool.dispatching == 10)
        #expect(Set(dispatcher.handedOver.withLock { $0 }) == Set((10..<15).map { "e\($0)" }))
        try await continually("the group waits for dispatches still at the gate", for: .milliseconds(20)) { !groupDone.withLock { $0 } }
        dispatcher.open()
        try await finished(running, "the group ends once the gate opens")
        #expect(dispatcher.finished.withLock { $0.count } == 10)
        #expect(pool.dispatching == 0)
    }

    @Test func anIdleShardIsPolledLessAndLessOften() async throws {
        let stream = MemoryStream()
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(10)
        options.idleBackoffLimit = 8   // idle cap 80 ms
        let engine = DeliveryEngine(routes: FixedRoutes(routes: [:]), sender: WebhookSender(http: FakeHTTP(), timeout: .seconds(1)),
                                    deadLetters: RecordingDLQ(), retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 1))
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine,
                                 leases: leases, options: options)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }
        // Lower bounds on the gaps only: a loaded machine makes gaps longer, never shorter, so
        // this cannot fail for slowness, and a fixed 10 ms interval fails it.
        try await eventually("7 stream reads", within: .seconds(30)) { stream.state.withLock { $0.reads } >= 7 }
        shutdown.trigger()
        _ = try await finished(running, "the worker stops")
        let times = stream.state.withLock { $0.readTimes }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        // Backoff 10, 20, 40, 80, 80, 80 ms: from the fourth gap on, each is at the 80 ms cap.
        for (index, gap) in gaps.enumerated().dropFirst(3).prefix(3) {
            #expect(gap >= .milliseconds(70), "gap \(index) was \(gap)")
        }
    }

    final class CountingRoutes: RouteStore {
        let reads = Locked(0)
        func route(for clientID: String) async throws -> Route? {
            reads.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(30))
            return Route(url: "http://sink/\(clientID)")
        }
    }

    @Test func concurrentRouteMissesShareOneRead() async throws {
        let store = CountingRoutes()
        let cache = RouteCache(store: store)
        let urls = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try? await cache.route(for: "acme")?.url } }
            return await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(urls == Array(repeating: "http://sink/acme", count: 8))
        #expect(store.reads.withLock { $0 } == 1)
        _ = try await cache.route(for: "acme")
        #expect(store.reads.withLock { $0 } == 1, "then served from the cache")
    }

    @Test(.timeLimit(.minutes(1)))
    func directAttemptsForABackedUpClientGoToTheStreamPathInsteadOfPilingUp() async throws {
        // One lane per client and an endpoint that never answers (until the attempt is cancelled).
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["slow": Route(url: "http://sink/slow")]),
                                    sender: WebhookSender(http: FakeHTTP(byURL: ["http://sink/slow": [.hang]]), timeout: .seconds(30)),
                                    deadLetters: RecordingDLQ(), retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 1), perClientConcurrency: 1)
        let job = DeliveryJob(clientID: "slow", eventID: "e", eventType: "t", payload: [])
        let first = Task { await engine.attemptOnce(job) }           // holds the lane
        try await eventually("the first attempt holds the lane", within: .seconds(30)) { await engine.lanes.running("slow/default") == 1 }
        let second = Task { await engine.attemptOnce(job) }          // waits for it: one queued is allowed
        try await eventually("the second attempt is queued", within: .seconds(30)) { await engine.lanes.waiting("slow/default") == 1 }
        // Lane busy and one already queued: not attempted, answered at once.
        #expect(await engine.attemptOnce(job) == false)
        first.cancel()
        second.cancel()
        #expect(await first.value == false)
        #expect(await second.value == false)
    }
}
