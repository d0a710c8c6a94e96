/// Judges which leases are live the way the Kinesis Client Library does: by watching each lease's
/// heartbeat (its counter, owner and informational expiry) change, timed on this instance's own
/// monotonic clock. A lease is expired once its heartbeat has not moved for `leaseDuration` since
/// *this* observer first saw it as it is — so hosts whose wall clocks disagree (by seconds or hours)
/// still agree on when a dead holder's shard may be taken, and a live holder is never robbed.
///
/// A lease seen for the first time counts as just renewed: after a restart an instance waits one
/// lease duration before taking a silent lease over (safe: never early). A released lease (clean
/// stop: `lease_expires` 0, or no owner) is free at once. Rows from before `lease_counter` existed
/// still work: their holders change `lease_expires` on every renewal, which moves the heartbeat too.
///
/// Not thread-safe on its own (a value): `DeliverService` keeps it behind a lock.
public struct LeaseObserver: Sendable {
    private struct Heartbeat: Equatable {
        var owner: String?
        var counter: Int64?
        var expiresAtMillis: Int64
    }

    private struct Sighting {
        var heartbeat: Heartbeat
        /// When this observer first saw `heartbeat`.
        var since: ContinuousClock.Instant
    }

    public let leaseDuration: Duration
    private var seen: [String: Sighting] = [:]

    public init(leaseDuration: Duration) {
        self.leaseDuration = leaseDuration
    }

    /// Records one scan of the leases table taken at `now` and returns the shards whose lease is live.
    /// Shards absent from the scan are forgotten (the map never outgrows the table).
    public mutating func observe(_ leases: [ShardLease], at now: ContinuousClock.Instant) -> Set<String> {
        var next: [String: Sighting] = [:]
        next.reserveCapacity(leases.count)
        var live = Set<String>()
        for lease in leases {
            let heartbeat = Heartbeat(owner: lease.owner, counter: lease.counter, expiresAtMillis: lease.expiresAtMillis)
            var sighting = seen[lease.shardID] ?? Sighting(heartbeat: heartbeat, since: now)
            if sighting.heartbeat != heartbeat { sighting = Sighting(heartbeat: heartbeat, since: now) }
            next[lease.shardID] = sighting
            if !lease.isReleased, now - sighting.since < leaseDuration { live.insert(lease.shardID) }
        }
        seen = next
        return live
    }

    /// The earliest instant this observer would call `shardID`'s lease expired, if nothing moves
    /// (nil: never seen). For tests and the takeover figures.
    public func expiry(of shardID: String) -> ContinuousClock.Instant? {
        seen[shardID].map { $0.since + leaseDuration }
    }
}
