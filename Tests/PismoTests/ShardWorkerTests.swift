import Foundation
import Testing
@testable import Pismo

@Suite struct ShardWorkerTests {
    var options: ShardWorker.Options {
        var o = ShardWorker.Options()
        o.emptyPollInterval = .milliseconds(2)
        o.checkpointInterval = .milliseconds(5)
        o.drainTimeout = .milliseconds(50)
        o.directGrace = .milliseconds(100)
        return o
    }

    func engine(_ http: StubWebhookHTTP, clients: [String]) -> DeliveryEngine {
        let routes = FixedRoutes(routes: Dictionary(uniqueKeysWithValues: clients.map { ($0, Route(url: "http://sink/\($0)")) }))
        return DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                              policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 4, sleep: { _ in })
    }

    func leases(owner: String = "me") async throws -> MemoryLeases {
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: owner, expiresAtMillis: .max, observed: nil)
        return leases
    }

    func worker(_ stream: MemoryStream, _ engine: DeliveryEngine, _ leases: MemoryLeases, checkpoint: String? = nil) -> ShardWorker {
        ShardWorker(shardID: "shard-0", owner: "me", checkpoint: checkpoint, source: stream, engine: engine, leases: leases, options: options)
    }

    func delivered(_ http: StubWebhookHTTP) -> [String] {
        http.requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } }
    }

    @Test func deliversEveryInsertOnceAndFinishesTheShard() async throws {
        let stream = MemoryStream()
        stream.append((1...40).map { insertRecord($0, client: "c\($0 % 4)") })
        stream.append([ChangeRecord(sequenceNumber: String(format: "%021d", 41), eventKey: "x", kind: .ignored)])
        stream.close()
        let http = StubWebhookHTTP(Dictionary(uniqueKeysWithValues: (0..<4).map { ("http://sink/c\($0)", [StubWebhookHTTP.Reply.status(200)]) }))
        let leases = try await leases()
        let exit = await worker(stream, engine(http, clients: (0..<4).map { "c\($0)" }), leases).run(until: ShutdownSignal())
        #expect(exit == .shardEnd)
        #expect(delivered(http).sorted() == (1...40).map { "{\"n\":\($0)}" }.sorted())
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == ShardLease.shardEnd)
    }

    @Test func checkpointStopsAtAnUnresolvedRecordAndARestartResumesWithoutLoss() async throws {
        let stream = MemoryStream()
        stream.append((1...20).map { insertRecord($0, client: $0 == 8 ? "down" : "up") })
        let hanging = StubWebhookHTTP(["http://sink/up": [.status(200)], "http://sink/down": [.hang]])
        let leases = try await leases()
        let shutdown = ShutdownSignal()
        let first = worker(stream, engine(hanging, clients: ["up", "down"]), leases)
        let running = Task { await first.run(until: shutdown) }
        while hanging.requests.withLock({ $0.count }) < 20 { try await Task.sleep(for: .milliseconds(2)) }
        try await Task.sleep(for: .milliseconds(20))
        shutdown.trigger()
        #expect(await running.value == .stopped)
        // Records 1-7 resolved; 8 hangs, so the checkpoint cannot pass it even though 9-20 are delivered.
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == String(format: "%021d", 7))

        let healthy = StubWebhookHTTP(["http://sink/up": [.status(200)], "http://sink/down": [.status(200)]])
        let second = worker(stream, engine(healthy, clients: ["up", "down"]), leases, checkpoint: String(format: "%021d", 7))
        stream.close()
        #expect(await second.run(until: ShutdownSignal()) == .shardEnd)
        // The replay is bounded to the unresolved tail: 8 (never delivered) and 9-20 (at-least-once).
        #expect(delivered(healthy).sorted() == (8...20).map { "{\"n\":\($0)}" }.sorted())
    }

    @Test func expiredIteratorIsReacquiredWithoutDuplicates() async throws {
        let stream = MemoryStream(pageSize: 3)
        stream.append((1...9).map { insertRecord($0, client: "a") })
        let http = StubWebhookHTTP(["http://sink/a": [.status(200)]])
        let leases = try await leases()
        let shutdown = ShutdownSignal()
        let running = Task { await worker(stream, engine(http, clients: ["a"]), leases).run(until: shutdown) }
        while http.requests.withLock({ $0.count }) < 9 { try await Task.sleep(for: .milliseconds(2)) }
        stream.state.withLock { $0.expireNext = true }
        stream.append((10...12).map { insertRecord($0, client: "a") })
        stream.close()
        #expect(await running.value == .shardEnd)
        #expect(delivered(http).sorted() == (1...12).map { "{\"n\":\($0)}" }.sorted())
    }

    @Test func stopsWhenTheLeaseIsTakenOver() async throws {
        let stream = MemoryStream()
        stream.append([insertRecord(1, client: "a")])
        let leases = try await leases()
        let running = Task { await worker(stream, engine(StubWebhookHTTP(["http://sink/a": [.status(200)]]), clients: ["a"]), leases).run(until: ShutdownSignal()) }
        try await Task.sleep(for: .milliseconds(20))
        leases.steal("shard-0", by: "other")
        stream.append([insertRecord(2, client: "a")])
        #expect(await running.value == .leaseLost)
    }

    @Test func directDispatchIsNotDeliveredTwiceAndFailuresFallBackToTheStream() async throws {
        let stream = MemoryStream()
        stream.append([
            insertRecord(1, client: "a", direct: true),
            insertRecord(2, client: "a", direct: true),
            insertRecord(3, client: "a", direct: true),  // the processor dies: no outcome ever arrives
            ChangeRecord(sequenceNumber: String(format: "%021d", 4), eventKey: "k1", kind: .directOutcome(eventKey: "k1", delivered: true)),
            ChangeRecord(sequenceNumber: String(format: "%021d", 5), eventKey: "k2", kind: .directOutcome(eventKey: "k2", delivered: false)),
        ])
        stream.close()
        let http = StubWebhookHTTP(["http://sink/a": [.status(200)]])
        #expect(await worker(stream, engine(http, clients: ["a"]), try await leases()).run(until: ShutdownSignal()) == .shardEnd)
        #expect(delivered(http).sorted() == ["{\"n\":2}", "{\"n\":3}"])
    }
}
