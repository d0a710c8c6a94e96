import Foundation
import Testing
@testable import Pismo

/// The shard worker over an in-memory shard and leases. Workers that end on their own (shard end,
/// lease lost) get a recording `sleep`, so their pauses — poll intervals, read backoff, the wait for
/// a closed shard's last deliveries — cost no time; every wait on them is bounded.
/// (The checkpoint-and-restart case runs over the fakes and moto alike: `OnBothBackendsTests`.)
@Suite(.timeLimit(.minutes(1))) struct ShardWorkerTests {
    var options: ShardWorker.Options {
        var o = ShardWorker.Options()
        o.emptyPollInterval = .milliseconds(2)
        o.checkpointInterval = .milliseconds(5)
        o.drainTimeout = .milliseconds(50)
        o.directGrace = .milliseconds(20)
        return o
    }

    func engine(_ http: FakeHTTP, clients: [String]) -> DeliveryEngine {
        let routes = FixedRoutes(routes: Dictionary(uniqueKeysWithValues: clients.map { ($0, Route(url: "http://sink/\($0)")) }))
        return DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(30)), deadLetters: RecordingDLQ(),
                              retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 4, sleep: { _ in })
    }

    func leases(owner: String = "me") async throws -> MemoryLeases {
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: owner, expiresAtMillis: .max, observed: nil)
        return leases
    }

    func worker(_ stream: MemoryStream, _ engine: DeliveryEngine, _ leases: MemoryLeases, checkpoint: String? = nil,
                pauses: SleepRecorder = SleepRecorder(yielding: true), options: ShardWorker.Options? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) -> ShardWorker {
        ShardWorker(shardID: "shard-0", owner: "me", checkpoint: checkpoint, source: stream, engine: engine, leases: leases,
                    options: options ?? self.options, sleep: pauses.sleep, now: now)
    }

    func sequence(_ n: Int) -> String { String(format: "%021d", n) }

    @Test func deliversEveryInsertOnceAndFinishesTheShard() async throws {
        let stream = MemoryStream()
        stream.append((1...40).map { insertRecord($0, client: "c\($0 % 4)") })
        stream.append([ChangeRecord(sequenceNumber: sequence(41), eventKey: "x", kind: .ignored)])
        stream.close()
        let http = FakeHTTP(byURL: Dictionary(uniqueKeysWithValues: (0..<4).map { ("http://sink/c\($0)", [FakeHTTP.Reply.status(200)]) }))
        let leases = try await leases()
        let worker = worker(stream, engine(http, clients: (0..<4).map { "c\($0)" }), leases)
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)
        #expect(http.bodies().sorted() == (1...40).map { "{\"n\":\($0)}" }.sorted())
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == ShardLease.shardEnd)
    }

    @Test func expiredIteratorIsReacquiredWithoutDuplicates() async throws {
        let stream = MemoryStream(pageSize: 3)
        stream.append((1...9).map { insertRecord($0, client: "a") })
        let http = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let worker = worker(stream, engine(http, clients: ["a"]), try await leases())
        let running = Task { await worker.run(until: ShutdownSignal()) }
        try await eventually("9 deliveries", within: .seconds(10)) { http.requests.count >= 9 }
        stream.state.withLock { $0.expireNext = true }
        stream.append((10...12).map { insertRecord($0, client: "a") })
        stream.close()
        #expect(try await finished(running, "the shard is finished") == .shardEnd)
        #expect(http.bodies().sorted() == (1...12).map { "{\"n\":\($0)}" }.sorted())
    }

    /// GetRecords failing four times: the worker backs off 100, 200, 400, 800 ms (recorded, not
    /// slept), then reads on.
    @Test func failedReadsBackOffAndThenReadOn() async throws {
        let stream = MemoryStream()
        stream.append([insertRecord(1, client: "a")])
        stream.close()
        stream.state.withLock { $0.failuresLeft = 4 }
        let http = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let pauses = SleepRecorder(yielding: true)
        let worker = worker(stream, engine(http, clients: ["a"]), try await leases(), pauses: pauses)
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)
        #expect(Array(pauses.delays.prefix(4)) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(http.bodies() == ["{\"n\":1}"])
    }

    @Test func stopsWhenTheLeaseIsTakenOver() async throws {
        let stream = MemoryStream()
        stream.append([insertRecord(1, client: "a")])
        let leases = try await leases()
        let worker = worker(stream, engine(FakeHTTP(byURL: ["http://sink/a": [.status(200)]]), clients: ["a"]), leases)
        let running = Task { await worker.run(until: ShutdownSignal()) }
        try await eventually("record 1 is checkpointed", within: .seconds(10)) { leases.checkpoints.withLock { $0 } == [sequence(1)] }
        leases.steal("shard-0", by: "other")
        stream.append([insertRecord(2, client: "a")])
        #expect(try await finished(running, "the worker notices the lost lease") == .leaseLost)
        #expect(leases.checkpoints.withLock { $0 } == [sequence(1)], "nothing is checkpointed on a lease held by another")
    }

    /// Renewals extend the lease from the worker's clock: `now` plus the lease duration.
    @Test func renewalsExtendTheLeaseFromTheWorkersClock() async throws {
        let stream = MemoryStream()
        let leases = try await leases()
        var options = self.options
        options.leaseDuration = .seconds(3)   // renewed every second
        // The lease keeper on a manual clock: on a loaded machine a real 3 s lease could lapse before
        // the worker even started (which is what a lapse should do, but not what this test is about).
        let clock = ManualClock()
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream,
                                 engine: engine(FakeHTTP(), clients: []), leases: leases, options: options,
                                 now: { Date(timeIntervalSince1970: 1_700_000_000) }, clock: clock.nowFunction, leaseSleep: clock.sleep)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }
        try await eventually("the lease is renewed", within: .seconds(10)) {
            leases.rows.withLock { $0["shard-0"]?.expiresAtMillis } == 1_700_000_003_000
        }
        shutdown.trigger()
        #expect(try await finished(running, "the worker stops") == .stopped)
        #expect(leases.rows.withLock { $0["shard-0"]?.expiresAtMillis } == 0, "a clean stop hands the lease over at once")
    }

    @Test func directDispatchIsNotDeliveredTwiceAndFailuresFallBackToTheStream() async throws {
        let stream = MemoryStream()
        stream.append([
            insertRecord(1, client: "a", direct: true),
            insertRecord(2, client: "a", direct: true),
            insertRecord(3, client: "a", direct: true),  // the processor dies: no outcome ever arrives
            ChangeRecord(sequenceNumber: sequence(4), eventKey: "k1", kind: .directOutcome(eventKey: "k1", delivered: true)),
            ChangeRecord(sequenceNumber: sequence(5), eventKey: "k2", kind: .directOutcome(eventKey: "k2", delivered: false)),
        ])
        stream.close()
        let http = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let worker = worker(stream, engine(http, clients: ["a"]), try await leases())
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)
        #expect(http.bodies().sorted() == ["{\"n\":2}", "{\"n\":3}"])
    }
}
