import Foundation
import Testing
@testable import Pismo

/// A stream that hands the same record over twice (emulators do; so does any re-read) while an
/// earlier record is still being retried: both copies are delivered (at least once), and once the
/// earlier record resolves the checkpoint must still reach the end instead of sticking at the copy.
@Suite struct ShardWorkerReplayTests {
    @Test func aRecordReadTwiceBehindAnUnresolvedOneDoesNotStickTheCheckpoint() async throws {
        let stream = MemoryStream()
        let replayed = insertRecord(3, client: "up")
        let last = insertRecord(4, client: "up")
        stream.append([insertRecord(1, client: "flaky"), insertRecord(2, client: "up"), replayed, replayed, last])
        let http = StubWebhookHTTP(["http://sink/flaky": [.status(500), .status(200)], "http://sink/up": [.status(200)]])
        let routes = FixedRoutes(routes: ["flaky": Route(url: "http://sink/flaky"), "up": Route(url: "http://sink/up")])
        // The retry of record 1 waits long enough for every later record, both copies included, to resolve first.
        let engine = DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                                    policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in try await Task.sleep(for: .milliseconds(300)) })
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(2)
        options.checkpointInterval = .milliseconds(5)
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine, leases: leases, options: options)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }

        for _ in 0..<400 where http.requests.withLock({ $0.count }) < 6 { try await Task.sleep(for: .milliseconds(10)) }
        for _ in 0..<100 where await worker.checkpoint != last.sequenceNumber {
            try await Task.sleep(for: .milliseconds(10))
        }
        shutdown.trigger()
        _ = await running.value
        let bodies = http.requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } }
        #expect(bodies.filter { $0 == "{\"n\":3}" }.count == 2, "the copy is delivered again: at least once")
        #expect(bodies.filter { $0 == "{\"n\":1}" }.count == 2, "record 1 was retried once")
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == last.sequenceNumber,
                "the checkpoint passes the replayed record once everything before it is resolved")
    }
}
