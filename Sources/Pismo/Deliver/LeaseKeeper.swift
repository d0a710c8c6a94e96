import Foundation
import Logging
import Transport

/// Keeps one shard's lease renewed from a task of its own, and answers "is it still mine?" from this
/// host's monotonic clock alone — so a slow GetRecords, a slow delivery or a DynamoDB outage cannot
/// leave a worker reading on a lease another instance may already have taken.
///
/// The rule that makes two readers impossible: other instances call the lease expired once its
/// counter has not moved for `duration` *since they saw it move* (`LeaseObserver`), which is after
/// the renewal request started. So the holder counts its lease as held until the start of its last
/// successful renewal (or take-over) plus `duration`, less `safetyMargin` for the time between the
/// check and a request reaching the wire and for drift between hosts' clock rates. A renewal that
/// throws is retried (quickly) until then; past it the lease is lapsed and the worker stops before
/// its next delivery. A renewal answered "not yours" means it was taken: stop at once.
final class LeaseKeeper: Sendable {
    private struct State {
        var heldUntil: ContinuousClock.Instant
        var nextRenewal: ContinuousClock.Instant
        /// The store said another owner holds it (a renewal or checkpoint write refused).
        var taken = false
    }

    let shardID: String
    private let owner: String
    private let leases: any LeaseStore
    private let duration: Duration
    private let state: Locked<State>
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger
    private let metrics: StreamMetrics?

    /// Renew this often: two renewals may fail before the lease is in danger.
    var renewInterval: Duration { duration / 3 }
    /// Stop this much before any other instance could take the lease over.
    var safetyMargin: Duration { duration / 10 }
    /// Failed renewals are retried quickly: the lease has at most `duration` to be saved.
    var retryBackoff: Backoff { Backoff(base: .milliseconds(100), cap: min(.seconds(1), duration / 10), jittered: false) }

    /// `heldSince`: when the request that took the lease started (by `clock`).
    init(shardID: String, owner: String, leases: any LeaseStore, duration: Duration, heldSince: ContinuousClock.Instant,
         clock: @escaping @Sendable () -> ContinuousClock.Instant, wallClock: @escaping @Sendable () -> Date,
         sleep: @escaping @Sendable (Duration) async throws -> Void, logger: Logger, metrics: StreamMetrics? = nil) {
        self.metrics = metrics
        self.shardID = shardID
        self.owner = owner
        self.leases = leases
        self.duration = duration
        self.clock = clock
        self.wallClock = wallClock
        self.sleep = sleep
        self.logger = logger
        self.state = Locked(State(heldUntil: heldSince + duration - duration / 10, nextRenewal: heldSince + duration / 3))
    }

    /// True while no other instance can have taken the lease: check before every delivery.
    var isHeld: Bool {
        let now = clock()
        return state.withLock { !$0.taken && now < $0.heldUntil }
    }

    /// The store refused a write as not ours: the lease was taken.
    var wasTaken: Bool { state.withLock { $0.taken } }

    func markTaken() {
        let first = state.withLock { s in defer { s.taken = true }; return !s.taken }
        if first { metrics?.leasesTaken.increment() }
    }

    /// Renews every `renewInterval` until the lease is lost (taken, or lapsed through failed renewals)
    /// or the task is cancelled (the worker stopped). Returns at once when either happens.
    func keep() async {
        var failures = 0
        while !Task.isCancelled {
            let now = clock()
            let wait = failures == 0 ? state.withLock { $0.nextRenewal } - now : retryBackoff.delay(attempt: failures)
            if wait > .zero { try? await sleep(wait) }
            if Task.isCancelled { return }
            guard isHeld else {
                if !wasTaken {
                    metrics?.leasesLapsed.increment()
                    logger.error("lease lapsed: renewals failed until another instance could take the shard; stopping it",
                                 metadata: ["shard": "\(shardID)", "failed_renewals": "\(failures)"])
                }
                return
            }
            if await renewOnce(failures: &failures) == false { return }
        }
    }

    /// One renewal; false when the lease was taken.
    private func renewOnce(failures: inout Int) async -> Bool {
        let started = clock()
        let expires = UTCTime.millisecondsSince1970(wallClock()) + Int64(duration.seconds * 1000)
        do {
            guard try await leases.renew(shardID: shardID, owner: owner, expiresAtMillis: expires) else {
                markTaken()
                logger.warning("lease taken by another instance", metadata: ["shard": "\(shardID)"])
                return false
            }
            failures = 0
            state.withLock { s in
                s.heldUntil = max(s.heldUntil, started + duration - safetyMargin)
                s.nextRenewal = started + renewInterval
            }
        } catch {
            failures += 1
            metrics?.leaseRenewalsFailed.increment()
            if failures == 1 || failures.isMultiple(of: 10) {
                logger.warning("lease renewal failed; retrying until the lease would lapse",
                               metadata: ["shard": "\(shardID)", "error": "\(error)", "failures": "\(failures)"])
            }
        }
        return true
    }

    /// A clean stop: hand the shard over at once (`lease_expires` 0) instead of making the next owner
    /// wait a lease duration. Best effort: if it fails, the lease simply expires.
    func release() async {
        guard !wasTaken else { return }
        _ = try? await leases.renew(shardID: shardID, owner: owner, expiresAtMillis: 0)
    }
}
