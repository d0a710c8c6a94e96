import Foundation
import Testing
@testable import Pismo

/// A stream that hands the same record over twice (emulators do; so does any re-read) while an
/// earlier record is still being retried: both copies are delivered (at least once), and once the
/// earlier record resolves the checkpoint must still reach the end instead of sticking at the copy.
@Suite(.timeLimit(.minutes(1))) struct ShardWorkerReplayTests {
    @Test func aRecordReadTwiceBehindAnUnresolvedOneDoesNotStickTheCheckpoint() async throws {
        let stream = MemoryStream()
        let replayed = insertRecord(3, client: "up")
        let last = insertRecord(4, client: "up")
        stream.append([insertRecord(1, client: "flaky"), insertRecord(2, client: "up"), replayed, replayed, last])
        let http = FakeHTTP(byURL: ["http://sink/flaky": [.status(500), .status(200)], "http://sink/up": [.status(200)]])
        let routes = FixedRoutes(routes: ["flaky": Route(url: "http://sink/flaky"), "up": Route(url: "http://sink/up")])
        // The retry of record 1 waits until every later record, both copies included, has been sent
        // (and so is resolving): a gate on what happened, not a guess at how long it takes.
        let engine = DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                                    retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in
                                        try await eventually("records 2, 3, 3 and 4 sent", within: .seconds(10)) { http.requests.count >= 5 }
                                    })
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(2)
        options.checkpointInterval = .milliseconds(5)
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine, leases: leases, options: options)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }

        try await eventually("6 requests (record 1 twice)", within: .seconds(10)) { http.requests.count >= 6 }
        try await eventually("the checkpoint reaches the last record", within: .seconds(10)) { await worker.checkpoint == last.sequenceNumber }
        shutdown.trigger()
        _ = try await finished(running, "the worker stops")
        let bodies = http.bodies()
        #expect(bodies.filter { $0 == "{\"n\":3}" }.count == 2, "the copy is delivered again: at least once")
        #expect(bodies.filter { $0 == "{\"n\":1}" }.count == 2, "record 1 was retried once")
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == last.sequenceNumber,
                "the checkpoint passes the replayed record once everything before it is resolved")
    }
}
