import Transport
import Foundation
import Logging

/// `pismo deliver`: discovers the stream's shards, leases them (several instances split the shards;
/// a dead instance's leases are taken over once they expire), runs one `ShardWorker` per lease, and
/// works the retry queue (`RetryWorker`) alongside.
public final class DeliverService: Sendable {
    public struct Options: Sendable {
        public var leaseScanInterval: Duration = .seconds(5)
        public var worker = ShardWorker.Options()
        public init() {}
    }

    private let source: any StreamShardSource
    private let leases: any LeaseStore
    private let engine: DeliveryEngine
    private let retries: RetryWorker?
    private let trimRecovery: TrimRecovery?
    private let metrics: StreamMetrics?
    private let owner: String
    private let options: Options
    private let logger: Logger
    private let running = Locked<Set<String>>([])
    /// Which leases are live, judged from their counters on this host's monotonic clock.
    private let observer: Locked<LeaseObserver>
    private let clock: @Sendable () -> ContinuousClock.Instant
    /// Only for the informational `lease_expires` written with a take-over.
    private let wallClock: @Sendable () -> Date

    /// `owner` must be unique per running instance (host name + pid + start time works).
    public init(source: any StreamShardSource, leases: any LeaseStore, engine: DeliveryEngine, retries: RetryWorker? = nil,
                owner: String, options: Options = Options(), trimRecovery: TrimRecovery? = nil,
                metrics: StreamMetrics? = nil, logger: Logger = Logger(label: "pismo.deliver"),
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.metrics = metrics
        self.observer = Locked(LeaseObserver(leaseDuration: options.worker.leaseDuration))
        self.clock = clock
        self.wallClock = wallClock
        self.retries = retries
        self.trimRecovery = trimRecovery
        self.source = source
        self.leases = leases
        self.engine = engine
        self.owner = owner
        self.options = options
        self.logger = logger
    }

    public var runningShards: Set<String> { running.withLock { $0 } }

    public func run(until shutdown: ShutdownSignal) async {
        await withDiscardingTaskGroup { group in
            if let retries { group.addTask { await retries.run(until: shutdown) } }
            // Cancellation stops the loop too: sleeps return at once when cancelled, so it would spin.
            while !shutdown.isTriggered, !Task.isCancelled {
                for (shardID, lease, heldSince) in await acquireShards() {
                    running.withLock { _ = $0.insert(shardID) }
                    group.addTask { await self.work(shardID, lease: lease, heldSince: heldSince, shutdown: shutdown) }
                }
                await sleepUnlessShutdown(options.leaseScanInterval, shutdown)
            }
        }
        logger.info("deliver stopped")
    }

    private func work(_ shardID: String, lease: ShardLease?, heldSince: ContinuousClock.Instant, shutdown: ShutdownSignal) async {
        let checkpoint = lease?.checkpoint
        logger.info("reading shard", metadata: ["shard": "\(shardID)", "checkpoint": "\(checkpoint ?? "TRIM_HORIZON")"])
        let worker = ShardWorker(shardID: shardID, owner: owner, checkpoint: checkpoint, source: source, engine: engine,
                                 leases: leases, options: options.worker, resolvedThroughMillis: lease?.resolvedThroughMillis,
                                 trimRecovery: trimRecovery, metrics: metrics, logger: logger, now: wallClock,
                                 leaseHeldSince: heldSince, clock: clock)
        let exit = await worker.run(until: shutdown)
        logger.info("shard worker exited", metadata: ["shard": "\(shardID)", "exit": "\(exit)"])
        running.withLock { _ = $0.remove(shardID) }
    }

    /// One planning round: which shards to take, taken with conditional writes. Returns the shards won,
    /// the lease row each resumes from (its checkpoint and `resolved_through`) and when the take-over
    /// started (the lease counts as held from then, by this host's clock).
    private func acquireShards() async -> [(String, ShardLease?, ContinuousClock.Instant)] {
        do {
            let shards = try await source.listShards()
            let current = try await leases.leases()
            let live = observer.withLock { $0.observe(current, at: clock()) }
            let busy = runningShards
            let wanted = LeasePlanner.shardsToAcquire(shards: shards, leases: current, me: owner, live: live)
                .filter { !busy.contains($0) }
            var won: [(String, ShardLease?, ContinuousClock.Instant)] = []
            for shardID in wanted {
                let observed = current.first { $0.shardID == shardID }
                let started = clock()
                let expires = UTCTime.millisecondsSince1970(wallClock()) + Int64(options.worker.leaseDuration.seconds * 1000)
                if try await leases.acquire(shardID: shardID, owner: owner, expiresAtMillis: expires, observed: observed) {
                    won.append((shardID, observed, started))
                }
            }
            return won
        } catch {
            logger.warning("lease scan failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func sleepUnlessShutdown(_ duration: Duration, _ shutdown: ShutdownSignal) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await ServiceSleep.sleep(for: duration) }
            group.addTask { await shutdown.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
