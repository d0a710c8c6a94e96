import Foundation
import Logging

/// Reads one leased shard and delivers its events, checkpointing only over resolved records.
///
/// - Records are tracked in stream order; each INSERT is delivered concurrently (the engine isolates
///   tenants); the checkpoint advances over the contiguous resolved prefix (`CheckpointTracker`).
/// - Back-pressure: reading pauses while `maxOutstanding` records are unresolved, and the next page
///   record waits while `maxDeliveriesInFlight` of this shard's deliveries run or wait for their lanes.
/// - Direct dispatch: an INSERT the processor is delivering itself is parked until the processor's
///   outcome (a MODIFY) arrives — delivered: resolved without a second delivery; failed: delivered
///   here. If no outcome arrives within `directGrace` (the processor died) it is delivered here.
/// - Expired iterators are re-acquired after the last record read; on restart, reading resumes after
///   the persisted checkpoint, so at most the unresolved tail is replayed.
/// - Trimmed records (from GetShardIterator or GetRecords: deliver was away past the stream's
///   retention): the gap since the lease's `resolved_through` is resent from the Events table through
///   the retry queue (`TrimRecovery`), then reading goes on at TRIM_HORIZON. `resolved_through` moves
///   past the gap only once that resend is durable, so a crash mid-replay replays the gap again.
/// - Shutdown: stop reading, let in-flight deliveries finish for `drainTimeout`, cancel the rest
///   (they stay unresolved and are replayed by the next owner), persist the checkpoint.
/// - The lease is renewed by its own task (`LeaseKeeper`), whatever reads and deliveries are doing;
///   no delivery starts once the lease may have passed to another instance, and losing it (taken, or
///   lapsed through failed renewals) cancels reading and the deliveries in flight at once.
public actor ShardWorker {
    public struct Options: Sendable {
        public var maxOutstanding = 10_000
        /// The next record's delivery starts only once fewer of this shard's deliveries than this
        /// are running or waiting for their client's lane: a page (up to 1,000 records) is fed to the
        /// lanes as they drain, so what waits in their backlogs stays well within the engine's
        /// `backlogPatience` at saturation instead of being parked. A hanging client cannot hold the
        /// shard: it keeps at most its lane and queue (2 × per-client concurrency) past that
        /// patience, everything else of it is parked by then.
        public var maxDeliveriesInFlight = 128
        /// Pause before the next GetRecords while the shard is active (the last page had records but
        /// fewer than `catchUpPageSize`): a busy shard is read within ~50 ms of a write. Doubles after
        /// each empty page, up to `emptyPollInterval × idleBackoffLimit`.
        ///
        /// 100 ms was tried: 0.13 -> 0.09 GetRecords per event and about 10 µs less deliver CPU per
        /// event at 100 events/s, but on a busy machine an empty page then waited 200 ms and the
        /// stream path's p99 went from 210-250 ms to 330-360 ms, past the 300 ms aim.
        ///
        /// The idle cap is the worst-case extra latency of the first event after a quiet spell, so it
        /// stays at 200 ms (five reads a second, as a fixed 200 ms interval cost): a 1 s cap cut idle
        /// reads to one a second but put the first batch after idleness past 300 ms end to end.
        public var emptyPollInterval: Duration = .milliseconds(50)
        public var idleBackoffLimit = 4
        /// A page at least this large means we are behind: read the next one at once.
        public var catchUpPageSize = 100
        public var checkpointInterval: Duration = .seconds(1)
        public var leaseDuration: Duration = .seconds(30)
        public var directGrace: Duration = .seconds(30)
        public var drainTimeout: Duration = .seconds(20)
        public init() {}
    }

    public enum Exit: Sendable, Equatable { case shardEnd, leaseLost, stopped }

    private struct Parked { let sequence: String; let position: Int; let job: DeliveryJob; let deadline: ContinuousClock.Instant }

    let shardID: String
    private let owner: String
    private let source: any StreamShardSource
    private let engine: DeliveryEngine
    private let leases: any LeaseStore
    private let options: Options
    private let logger: Logger
    private var tracker: CheckpointTracker
    private var persisted: String?
    /// Unix ms: every record of this shard received up to then is resolved (persisted with the checkpoint).
    private var resolvedThrough: Int64?
    private var persistedResolvedThrough: Int64?
    private let trimRecovery: TrimRecovery?
    /// `pismo_stream_iterator_age_seconds{shard}`; removed when the worker stops.
    private let iteratorAge: Gauge?
    /// A trim has been logged and counted and its gap is not yet replayed (a failed replay is retried
    /// without counting the trim again).
    private var trimPending = false
    private var lastRead: String?
    private var parked: [String: Parked] = [:]
    private var lastPersist = ContinuousClock.now
    private let lease: LeaseKeeper
    private var deliveriesInFlight = 0
    /// The reader, waiting for `deliveriesInFlight` to drop below `maxDeliveriesInFlight`.
    private var roomWaiter: CheckedContinuation<Void, Never>?
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    /// Pauses after failed reads: 100 ms after the first, doubling to 10 s.
    static let readBackoff = Backoff(base: .milliseconds(50), cap: .seconds(10), jittered: false)

    public init(shardID: String, owner: String, checkpoint: String?, source: any StreamShardSource,
                engine: DeliveryEngine, leases: any LeaseStore, options: Options = Options(),
                resolvedThroughMillis: Int64? = nil, trimRecovery: TrimRecovery? = nil, metrics: StreamMetrics? = nil,
                logger: Logger = Logger(label: "pismo.deliver.shard"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() },
                leaseHeldSince: ContinuousClock.Instant? = nil,
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                leaseSleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) }) {
        // The lease keeper waits on its own `leaseSleep` (tests that make the worker's pauses free
        // still want renewals paced by the clock, not spinning).
        self.lease = LeaseKeeper(shardID: shardID, owner: owner, leases: leases, duration: options.leaseDuration,
                                 heldSince: leaseHeldSince ?? clock(), clock: clock, wallClock: now, sleep: leaseSleep, logger: logger,
                                 metrics: metrics)
        self.sleep = sleep
        self.now = now
        self.shardID = shardID
        self.owner = owner
        self.source = source
        self.engine = engine
        self.leases = leases
        self.options = options
        self.logger = logger
        self.tracker = CheckpointTracker(checkpoint: checkpoint)
        self.persisted = checkpoint
        self.resolvedThrough = resolvedThroughMillis
        self.persistedResolvedThrough = resolvedThroughMillis
        self.trimRecovery = trimRecovery
        self.iteratorAge = metrics?.iteratorAge(shard: shardID)
    }

    /// Unix ms up to which this shard's records are known resolved (nil: not yet known).
    public var resolvedThroughMillis: Int64? { resolvedThrough }

    public var checkpoint: String? { tracker.checkpoint }

    public func run(until shutdown: ShutdownSignal) async -> Exit {
        // Two tasks: the lease keeper and the reader. Whichever ends first ends the other: a lost
        // lease cancels reading and its deliveries; a reader that is done stops the renewals.
        let exit = await withTaskGroup(of: Exit.self, returning: Exit.self) { group in
            group.addTask { [lease] in
                await lease.keep()
                return Task.isCancelled ? .stopped : .leaseLost
            }
            group.addTask { await self.readAndDeliver(until: shutdown) }
            let first = await group.next() ?? .stopped
            group.cancelAll()
            return first
        }
        // The lease may have lapsed without being taken: these writes are conditional on still being
        // the owner, and what they record (resolved records, a finished shard) is true either way.
        if !lease.wasTaken { await persistCheckpoint(force: true) }
        iteratorAge?.remove()  // another instance (or none, at shard end) reads it from now on
        if exit == .stopped, !lease.wasTaken {
            // Hand the shard over at once on a clean shutdown instead of making the next owner
            // wait out the lease.
            await lease.release()
        }
        if exit == .shardEnd, !lease.wasTaken {
            _ = try? await leases.checkpoint(shardID: shardID, owner: owner, sequenceNumber: ShardLease.shardEnd)
        }
        return lease.wasTaken || exit == .leaseLost ? .leaseLost : exit
    }

    private func readAndDeliver(until shutdown: ShutdownSignal) async -> Exit {
        await withDiscardingTaskGroup(returning: Exit.self) { group in
            let exit = await readLoop(&group, shutdown: shutdown)
            if exit == .stopped { await drain(&group) } else { group.cancelAll() }
            return exit
        }
    }

    private func readLoop(_ group: inout DiscardingTaskGroup, shutdown: ShutdownSignal) async -> Exit {
        var iterator: String?
        var failures = 0
        var pause = options.emptyPollInterval
        while !shutdown.isTriggered, !Task.isCancelled {
            await housekeeping(&group)
            if !lease.isHeld { return .leaseLost }
            if tracker.outstanding >= options.maxOutstanding {
                try? await sleep(.milliseconds(10))
                continue
            }
            do {
                if iterator == nil { iterator = try await source.iterator(shardID: shardID, after: lastRead ?? tracker.checkpoint) }
                let batch = try await source.records(iterator: iterator!)
                failures = 0
                for record in batch.records {
                    if deliveriesInFlight >= options.maxDeliveriesInFlight {
                        await waitForRoom()
                        // Stopping mid-page leaves the rest untracked, after the checkpoint: replayed.
                        if shutdown.isTriggered || Task.isCancelled || !lease.isHeld { return lease.isHeld ? .stopped : .leaseLost }
                    }
                    accept(record, &group)
                }
                if let age = IteratorAge.seconds(afterReading: batch.records, nowMillis: nowMillis()) { iteratorAge?.set(age) }
                guard let next = batch.next else { return await finishShard(&group) }
                iterator = next
                pause = nextPause(after: batch.records.count, previous: pause)
                if pause > .zero { try? await sleep(pause) }
            } catch StreamReadError.expiredIterator {
                iterator = nil
            } catch StreamReadError.trimmedData {
                iterator = await recoverFromTrim()
                if iterator == nil {
                    failures += 1
                    try? await sleep(Self.readBackoff.delay(attempt: failures + 1))
                }
            } catch {
                failures += 1
                logger.warning("GetRecords failed", metadata: ["shard": "\(shardID)", "error": "\(error)"])
                try? await sleep(Self.readBackoff.delay(attempt: failures + 1))
            }
        }
        return .stopped
    }

    /// Adaptive polling: zero while catching up, the active interval after a page with records,
    /// doubling (to the idle cap) after each empty page.
    private func nextPause(after records: Int, previous: Duration) -> Duration {
        if records >= options.catchUpPageSize { return .zero }
        if records > 0 { return options.emptyPollInterval }
        let cap = options.emptyPollInterval * max(1, options.idleBackoffLimit)
        return previous == .zero ? options.emptyPollInterval : min(previous * 2, cap)
    }

    private func accept(_ record: ChangeRecord, _ group: inout DiscardingTaskGroup) {
        lastRead = record.sequenceNumber
        let position = tracker.track(record.sequenceNumber, receivedAtMillis: record.receivedAtMillis)
        switch record.kind {
        case let .inserted(job, direct: true):
            parked[record.eventKey] = Parked(sequence: record.sequenceNumber, position: position, job: job,
                                             deadline: .now.advanced(by: options.directGrace))
        case let .inserted(job, direct: false):
            startDelivery(record.sequenceNumber, position, job, &group)
        case let .directOutcome(eventKey, delivered):
            tracker.resolve(record.sequenceNumber, at: position)
            if let waiting = parked.removeValue(forKey: eventKey) {
                if delivered { tracker.resolve(waiting.sequence, at: waiting.position) } else { startDelivery(waiting.sequence, waiting.position, waiting.job, &group) }
            }
        case .ignored:
            tracker.resolve(record.sequenceNumber, at: position)
        }
    }

    /// Only while the lease is held: a record not started stays unresolved, for the next owner.
    private func startDelivery(_ sequence: String, _ position: Int, _ job: DeliveryJob, _ group: inout DiscardingTaskGroup) {
        guard lease.isHeld else { return }
        deliveriesInFlight += 1
        group.addTask { [engine] in
            // Cancelled (shutdown, lease lost) means unresolved: the record is replayed later.
            let done = (try? await engine.deliver(job)) != nil
            await self.finished(sequence, at: position, resolved: done)
        }
    }

    private func finished(_ sequence: String, at position: Int, resolved: Bool) {
        deliveriesInFlight -= 1
        if resolved { tracker.resolve(sequence, at: position) }
        if deliveriesInFlight < options.maxDeliveriesInFlight { wakeReader() }
    }

    /// Until a delivery finishes below the bound, or the reader is cancelled (lease lost, stop).
    private func waitForRoom() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled || deliveriesInFlight < options.maxDeliveriesInFlight { return continuation.resume() }
                roomWaiter = continuation
            }
        } onCancel: {
            Task { await self.wakeReader() }
        }
    }

    private func wakeReader() {
        roomWaiter?.resume()
        roomWaiter = nil
    }

    /// Periodic duties between reads: release overdue parked records, persist the checkpoint.
    private func housekeeping(_ group: inout DiscardingTaskGroup) async {
        let now = ContinuousClock.now
        for (key, waiting) in parked where waiting.deadline <= now {
            parked[key] = nil
            startDelivery(waiting.sequence, waiting.position, waiting.job, &group)
        }
        if now - lastPersist >= options.checkpointInterval { await persistCheckpoint(force: false) }
    }

    /// The stream no longer holds the records after our position. Logs and counts the trim, takes an
    /// iterator at TRIM_HORIZON *before* resending the gap (so what is stored after the resend's read
    /// is read from the stream, not missed between the two), resends the gap, and only then moves
    /// `resolved_through` to the time the horizon was taken. nil when that failed: the caller pauses and
    /// meets the trim again, which retries the whole gap (at least once).
    private func recoverFromTrim() async -> String? {
        let metAt = nowMillis()
        // What this reader resolved since the last write counts too: the gap starts after it.
        if let covered = tracker.resolvedThroughMillis { resolvedThrough = max(resolvedThrough ?? covered, covered) }
        if !trimPending {
            trimPending = true
            if let trimRecovery {
                trimRecovery.report(shardID: shardID, resolvedThroughMillis: resolvedThrough, nowMillis: metAt, logger: logger)
            } else {
                logger.error("stream records were trimmed before they were read (no gap replay configured)", metadata: ["shard": "\(shardID)"])
            }
        }
        do {
            let horizon = try await source.iterator(shardID: shardID, after: nil)
            // The stream holds what is stored from here on: the gap ends here, so the replay is bounded.
            let horizonAt = max(metAt, nowMillis())
            if let trimRecovery, let from = resolvedThrough {
                // The lease keeper renews meanwhile; a replay cut short by a lost lease is redone by the next owner.
                _ = try await trimRecovery.replay(fromMillis: from, untilMillis: horizonAt, shardID: shardID, logger: logger) { _ in }
            }
            trimPending = false
            lastRead = nil
            tracker = CheckpointTracker()
            resolvedThrough = max(resolvedThrough ?? horizonAt, horizonAt)
            await persistCheckpoint(force: true)
            return horizon
        } catch {
            logger.warning("replaying a trimmed gap failed; trying again", metadata: ["shard": "\(shardID)", "error": "\(error)"])
            return nil
        }
    }

    private func nowMillis() -> Int64 { UTCTime.millisecondsSince1970(now()) }

    /// Writes the checkpoint and `resolved_through` when either moved. After a trim the checkpoint is
    /// that of the trimmed position until the first record from TRIM_HORIZON resolves: a restart in
    /// between meets the trim again and replays only from the new `resolved_through`.
    private func persistCheckpoint(force: Bool) async {
        lastPersist = .now
        if let covered = tracker.resolvedThroughMillis { resolvedThrough = max(resolvedThrough ?? covered, covered) }
        let checkpoint = tracker.checkpoint.flatMap { $0 == persisted ? nil : $0 }
        let through = resolvedThrough == persistedResolvedThrough ? nil : resolvedThrough
        guard checkpoint != nil || through != nil, !lease.wasTaken else { return }
        do {
            if try await leases.checkpoint(shardID: shardID, owner: owner, sequenceNumber: checkpoint, resolvedThroughMillis: through) {
                if let checkpoint { persisted = checkpoint }
                if let through { persistedResolvedThrough = through }
            } else {
                lease.markTaken()
            }
        } catch {
            logger.warning("checkpoint write failed", metadata: ["shard": "\(shardID)", "error": "\(error)"])
        }
    }

    /// A closed shard read to its end: wait until every record is resolved, then mark it finished.
    private func finishShard(_ group: inout DiscardingTaskGroup) async -> Exit {
        while tracker.outstanding > 0, lease.isHeld, !Task.isCancelled {
            await housekeeping(&group)
            try? await sleep(.milliseconds(20))
        }
        return .shardEnd
    }

    private func drain(_ group: inout DiscardingTaskGroup) async {
        let deadline = ContinuousClock.now.advanced(by: options.drainTimeout)
        // A cancelled sleep returns at once: stop waiting then instead of spinning to the deadline.
        while deliveriesInFlight > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await sleep(.milliseconds(10))
        }
        group.cancelAll()
    }
}
