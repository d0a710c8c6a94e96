import Foundation
import Testing
@testable import Pismo

/// A trimmed stream loses nothing: whether the trim is met by GetShardIterator (the checkpoint is
/// older than the retention) or by GetRecords (trimmed while reading), the gap since the lease's
/// `resolved_through` is resent from the Events table through the retry queue, and reading goes on
/// at TRIM_HORIZON. Event n is stored at `base + n s`; the stream and the table hold the same events.
@Suite(.timeLimit(.minutes(1))) struct ShardWorkerTrimTests {
    static let base: Int64 = 1_800_000_000_000
    /// The worker's clock when it meets the trim: after every stored event.
    static let metAt = base + 60_000

    var options: ShardWorker.Options {
        var o = ShardWorker.Options()
        o.emptyPollInterval = .milliseconds(2)
        o.checkpointInterval = .milliseconds(5)
        o.drainTimeout = .milliseconds(50)
        return o
    }

    func record(_ n: Int) -> ChangeRecord {
        var record = insertRecord(n, client: "a")
        record.receivedAtMillis = Self.base + Int64(n) * 1000
        return record
    }

    func sequence(_ n: Int) -> String { String(format: "%021d", n) }

    func table(_ events: ClosedRange<Int>) -> MemoryStoredEventRanges {
        let table = MemoryStoredEventRanges()
        for n in events {
            table.add(StoredEventReference(clientID: "a", eventKey: "k\(n)", eventID: "e\(n)"), receivedAtMillis: Self.base + Int64(n) * 1000)
        }
        return table
    }

    struct Rig {
        let stream = MemoryStream()
        let http = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let leases = MemoryLeases()
        let replayed = MemoryRetryQueue()
        let registry = MetricsRegistry()
        var engine: DeliveryEngine {
            DeliveryEngine(routes: FixedRoutes(routes: ["a": Route(url: "http://sink/a")]),
                           sender: WebhookSender(http: http, timeout: .seconds(30)), deadLetters: RecordingDLQ(),
                           retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 4, sleep: { _ in })
        }
        var replayedKeys: [String] { replayed.scheduled.withLock { $0.map(\.retry.eventKey) }.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 } }
        var trimmedCount: String? {
            registry.render().split(separator: "\n").first { $0.hasPrefix("pismo_stream_trimmed_total ") }.map { String($0.split(separator: " ")[1]) }
        }
    }

    func worker(_ rig: Rig, _ ranges: MemoryStoredEventRanges, checkpoint: String?, resolvedThrough: Int64?,
                replayQueue: MemoryRetryQueue? = nil) async throws -> ShardWorker {
        if rig.leases.rows.withLock({ $0["shard-0"] }) == nil {
            _ = try await rig.leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
            rig.leases.rows.withLock { $0["shard-0"]?.checkpoint = checkpoint; $0["shard-0"]?.resolvedThroughMillis = resolvedThrough }
        }
        let recovery = TrimRecovery(resender: StoredEventResender(ranges: ranges, retries: replayQueue ?? rig.replayed, segments: 1,
                                                                        now: { Date(timeIntervalSince1970: Double(Self.metAt) / 1000) }),
                                    metrics: StreamMetrics(registry: rig.registry), margin: .zero)
        return ShardWorker(shardID: "shard-0", owner: "me", checkpoint: checkpoint, source: rig.stream, engine: rig.engine,
                           leases: rig.leases, options: options, resolvedThroughMillis: resolvedThrough, trimRecovery: recovery,
                           sleep: SleepRecorder(yielding: true).sleep,
                           now: { Date(timeIntervalSince1970: Double(Self.metAt) / 1000) })
    }

    /// Checkpoint at event 3, events 1-7 trimmed: the checkpoint's GetShardIterator is refused; the
    /// gap (4-7, and from the resolved time on) goes to the retry queue, 8-10 are read from the stream.
    @Test func trimMetByGetShardIteratorReplaysTheGapAndReadsOnAtTheHorizon() async throws {
        let rig = Rig()
        rig.stream.append((1...10).map(record))
        rig.stream.state.withLock { $0.trimmedBefore = 7; $0.closed = true }
        let ranges = table(1...10)
        // Stored after reading resumed at the horizon: the stream's, so outside the bounded gap.
        ranges.add(StoredEventReference(clientID: "a", eventKey: "k-later", eventID: "e-later"), receivedAtMillis: Self.metAt + 1)
        let worker = try await worker(rig, ranges, checkpoint: sequence(3), resolvedThrough: Self.base + 3000)
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)

        #expect(rig.stream.state.withLock { $0.iteratorRequests } == [sequence(3), nil])
        #expect(rig.http.bodies().sorted() == (8...10).map { "{\"n\":\($0)}" }.sorted())
        #expect(rig.replayedKeys == (3...10).map { "k\($0)" })
        let retries = rig.replayed.scheduled.withLock { $0 }
        #expect(retries.allSatisfy { $0.retry.attempt == 1 && $0.delay == .zero && $0.retry.dueAtMillis == Self.metAt })
        #expect(rig.trimmedCount == "1")
        #expect(rig.leases.rows.withLock { $0["shard-0"]?.resolvedThroughMillis } == Self.metAt)
    }

    /// Events 1-5 read and checkpointed; then 6-12 are stored and 1-9 trimmed before the next read:
    /// GetRecords is refused; 6-9 come back through the retry queue and 10-12 from the stream.
    @Test func trimMetByGetRecordsReplaysTheGapAndReadsOnAtTheHorizon() async throws {
        let rig = Rig()
        rig.stream.append((1...5).map(record))
        let worker = try await worker(rig, table(1...12), checkpoint: nil, resolvedThrough: nil)
        let running = Task { await worker.run(until: ShutdownSignal()) }
        try await eventually("events 1-5 resolved and their time persisted", within: .seconds(10)) {
            rig.leases.rows.withLock { $0["shard-0"]?.resolvedThroughMillis } == Self.base + 5000
        }
        let twelve = (6...12).map(record)
        rig.stream.state.withLock { $0.records += twelve; $0.trimmedBefore = 9; $0.closed = true }
        #expect(try await finished(running, "the shard is finished") == .shardEnd)

        #expect(rig.http.bodies().sorted() == ((1...5).map { $0 } + (10...12).map { $0 }).map { "{\"n\":\($0)}" }.sorted())
        #expect(rig.replayedKeys == (5...12).map { "k\($0)" })
        #expect(rig.trimmedCount == "1")
    }

    /// The table unreachable for two reads: the trim is counted once, the replay tried until it
    /// succeeds, and `resolved_through` written only after that.
    @Test func aFailedReplayIsRetriedAndTheResolvedTimeWaitsForIt() async throws {
        let rig = Rig()
        rig.stream.append((1...10).map(record))
        rig.stream.state.withLock { $0.trimmedBefore = 7; $0.closed = true }
        let ranges = table(1...10)
        ranges.failuresLeft.withLock { $0 = 2 }
        let worker = try await worker(rig, ranges, checkpoint: sequence(3), resolvedThrough: Self.base + 3000)
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)

        #expect(ranges.reads.withLock { $0 } == 3)
        #expect(rig.trimmedCount == "1")
        #expect(rig.replayedKeys == (3...10).map { "k\($0)" })
        #expect(rig.leases.resolvedWrites.withLock { $0 } == [Self.metAt])
        #expect(rig.http.bodies().count == 3)
    }

    /// Deliver stops while the gap cannot be queued (the retry queue refuses every send): the lease
    /// row still says where the gap starts, so the next owner replays all of it.
    @Test func aReplayCutShortIsDoneAgainByTheNextOwner() async throws {
        let rig = Rig()
        rig.stream.append((1...10).map(record))
        rig.stream.state.withLock { $0.trimmedBefore = 7; $0.closed = true }
        let ranges = table(1...10)
        let refusing = MemoryRetryQueue(failures: 1_000_000)
        let first = try await worker(rig, ranges, checkpoint: sequence(3), resolvedThrough: Self.base + 3000, replayQueue: refusing)
        let shutdown = ShutdownSignal()
        let running = Task { await first.run(until: shutdown) }
        try await eventually("the replay was tried twice", within: .seconds(10)) { ranges.reads.withLock { $0 } >= 2 }
        shutdown.trigger()
        #expect(try await finished(running, "the first worker stops") == .stopped)
        #expect(rig.leases.rows.withLock { $0["shard-0"]?.resolvedThroughMillis } == Self.base + 3000)
        #expect(rig.leases.rows.withLock { $0["shard-0"]?.checkpoint } == sequence(3))
        #expect(rig.http.requests.isEmpty)

        let lease = try #require(rig.leases.rows.withLock { $0["shard-0"] })
        _ = try await rig.leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: lease)
        let second = try await worker(rig, ranges, checkpoint: lease.checkpoint, resolvedThrough: lease.resolvedThroughMillis)
        #expect(try await finished(Task { await second.run(until: ShutdownSignal()) }, "the shard is finished") == .shardEnd)
        #expect(rig.replayedKeys == (3...10).map { "k\($0)" })
        #expect(rig.http.bodies().sorted() == (8...10).map { "{\"n\":\($0)}" }.sorted())
        #expect(rig.trimmedCount == "2")
    }
}
