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
        // Record 1's follow-up is stored only once every later record, both copies included, has been
        // sent (and so is resolving): record 1 stays unresolved behind them — a gate on what happened,
        // not a guess at how long it takes.
        let retries = GatedRetries {
            try await eventually("records 2, 3, 3 and 4 sent", within: .seconds(10)) { http.requests.count >= 5 }
        }
        let engine = DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                                    retries: retries, policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in })
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(2)
        options.checkpointInterval = .milliseconds(5)
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine, leases: leases, options: options)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }

        try await eventually("5 requests (records 1, 2, 3, 3, 4)", within: .seconds(10)) { http.requests.count >= 5 }
        try await eventually("the checkpoint reaches the last record", within: .seconds(10)) { await worker.checkpoint == last.sequenceNumber }
        shutdown.trigger()
        _ = try await finished(running, "the worker stops")
        let bodies = http.bodies()
        #expect(bodies.filter { $0 == "{\"n\":3}" }.count == 2, "the copy is delivered again: at least once")
        #expect(bodies.filter { $0 == "{\"n\":1}" }.count == 1, "record 1 was attempted once; its retry waits in the queue")
        #expect(retries.inner.scheduled.withLock { $0.map(\.retry.attempt) } == [2])
        #expect(leases.rows.withLock { $0["shard-0"]?.checkpoint } == last.sequenceNumber,
                "the checkpoint passes the replayed record once everything before it is resolved")
    }
}

/// The retry queue, storing a follow-up only once `gate` returns.
final class GatedRetries: RetryScheduler {
    let inner = MemoryRetryQueue()
    private let gate: @Sendable () async throws -> Void
    init(_ gate: @escaping @Sendable () async throws -> Void) { self.gate = gate }
    func schedule(_ retry: PendingRetry, delay: Duration) async throws {
        try await gate()
        try await inner.schedule(retry, delay: delay)
    }
}
