import Foundation
import Testing
import Transport
@testable import Pismo

/// `pismo_stream_iterator_age_seconds{shard}`: now minus the ApproximateCreationDateTime of the last
/// record read; 0 after a read that finds nothing; gone once the shard's worker stops.
@Suite(.timeLimit(.minutes(1))) struct IteratorAgeTests {
    func record(_ seq: Int, createdAt millis: Int64?) -> ChangeRecord {
        var r = insertRecord(seq, client: "a")
        r.approximateCreationMillis = millis
        return r
    }

    @Test func ageIsNowMinusTheLastRecordsCreationTime() {
        let page = [record(1, createdAt: 1_000_000), record(2, createdAt: 1_004_000), record(3, createdAt: nil)]
        // The last record carrying a creation time counts: record 2, 6.5 s before now.
        #expect(IteratorAge.seconds(afterReading: page, nowMillis: 1_010_500) == 6.5)
    }

    @Test func anEmptyReadMeansCaughtUp() {
        #expect(IteratorAge.seconds(afterReading: [], nowMillis: 1_000) == 0)
    }

    @Test func recordsWithoutCreationTimesLeaveTheAgeAsItWas() {
        #expect(IteratorAge.seconds(afterReading: [record(1, createdAt: nil)], nowMillis: 1_000) == nil)
    }

    @Test func aCreationTimeAheadOfOurClockIsZeroNotNegative() {
        #expect(IteratorAge.seconds(afterReading: [record(1, createdAt: 5_000)], nowMillis: 4_000) == 0)
    }

    @Test func creationTimesComeFromTheStreamRecordInMilliseconds() {
        let stream = StreamRecord(eventID: "e", eventName: "INSERT", sequenceNumber: "1", keys: [:], newImage: nil,
                                  oldImage: nil, approximateCreationDateTime: 1_700_000_123, sizeBytes: nil, streamViewType: nil)
        #expect(DynamoDBStreamSource.change(stream).approximateCreationMillis == 1_700_000_123_000)
    }

    /// Through the shard worker: a backlog read 90 s late shows 90, the empty read after it 0, and
    /// the series disappears when the closed shard is finished.
    @Test func theWorkerPublishesTheAgePerShardAndRemovesItWhenDone() async throws {
        let clock = Locked(Date(timeIntervalSince1970: 2_000_000))
        let created = Int64(2_000_000 - 90) * 1000
        let stream = MemoryStream(pageSize: 10)
        stream.append((1...3).map { record($0, createdAt: created) })
        let registry = MetricsRegistry()
        let http = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["a": Route(url: "http://sink/a")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(30)), deadLetters: RecordingDLQ(),
                                    retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 4,
                                    sleep: { _ in })
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(2)
        // The worker pauses after every read: what the series says then is what that read set.
        let series = "pismo_stream_iterator_age_seconds{shard=\"shard-0\"} "
        let seen = Locked<[String]>([])
        let sleep: @Sendable (Duration) async throws -> Void = { _ in
            let line = registry.render().split(separator: "\n").first { $0.hasPrefix(series) }
            seen.withLock { $0.append(line.map { String($0.dropFirst(series.count)) } ?? "none") }
            await Task.yield()
        }
        let worker = ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine,
                                 leases: leases, options: options, metrics: StreamMetrics(registry: registry),
                                 sleep: sleep, now: { clock.withLock { $0 } })
        let running = Task { await worker.run(until: ShutdownSignal()) }
        try await eventually("an empty read after the backlog") { seen.withLock { $0.count >= 2 } }
        stream.close()
        #expect(try await finished(running, "the shard is finished") == .shardEnd)
        let values = seen.withLock { $0 }
        #expect(values.first == "90.0", "the backlog, read 90 s after it was written")
        #expect(values.dropFirst().first == "0.0", "then an empty read: caught up")
        #expect(!registry.render().contains("pismo_stream_iterator_age_seconds{"))
    }
}
