/// A shard of the Events table's stream as DescribeStream reports it.
public struct ShardInfo: Sendable, Equatable {
    public var shardID: String
    public var parentShardID: String?
    /// nil while the shard is open (still receiving records).
    public var endingSequenceNumber: String?

    public init(shardID: String, parentShardID: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.endingSequenceNumber = endingSequenceNumber
    }
}

/// One row of the `pismo-leases` table: who reads a shard, until when, and how far it is resolved.
public struct ShardLease: Sendable, Equatable {
    /// Marks a shard read to its end: its children may start.
    public static let shardEnd = "SHARD_END"

    public var shardID: String
    public var owner: String?
    /// Unix ms: the holder's own estimate of its lease's end (its wall clock plus the lease duration).
    /// Informational (and what instances older than `counter` judged by); nobody compares it with
    /// their own clock. 0 means released: a clean stop hands the shard over at once.
    public var expiresAtMillis: Int64
    /// Incremented by each take-over and renewal (`lease_counter`); nil on a row written before it
    /// existed. Liveness is "has this moved within the lease duration, by my clock" (`LeaseObserver`).
    public var counter: Int64?
    /// Highest sequence number below which every record is resolved, or `shardEnd`.
    public var checkpoint: String?
    /// Unix ms: every record this shard received up to then is resolved. A trim replays from here.
    public var resolvedThroughMillis: Int64?

    public init(shardID: String, owner: String?, expiresAtMillis: Int64, checkpoint: String?, resolvedThroughMillis: Int64? = nil,
                counter: Int64? = nil) {
        self.resolvedThroughMillis = resolvedThroughMillis
        self.counter = counter
        self.shardID = shardID
        self.owner = owner
        self.expiresAtMillis = expiresAtMillis
        self.checkpoint = checkpoint
    }

    public var isFinished: Bool { checkpoint == Self.shardEnd }
    /// Its holder handed it over (a clean stop): free at once, whatever the counter says.
    public var isReleased: Bool { owner?.isEmpty ?? true || expiresAtMillis == 0 }
}

/// Decides which shards this instance should try to lease. Pure, so the rules are testable:
/// - a finished shard (checkpoint SHARD_END) is never leased again;
/// - lineage: a child becomes eligible only when its parent is finished, or when the parent is no
///   longer listed by the stream (trimmed after 24 h) — "process a parent before its child";
/// - fairness: each instance aims for ceil(eligible / live instances) shards, where live instances
///   are the distinct owners of live leases plus this one; free or expired leases are taken first,
///   nothing is stolen from a live owner.
/// Which leases are live is the caller's observation (`LeaseObserver`): no clock is read here.
public enum LeasePlanner {
    public static func shardsToAcquire(shards: [ShardInfo], leases: [ShardLease], me: String, live liveShards: Set<String>) -> [String] {
        let byShard = Dictionary(leases.map { ($0.shardID, $0) }, uniquingKeysWith: { a, _ in a })
        let listed = Set(shards.map(\.shardID))
        let eligible = shards.filter { shard in
            if byShard[shard.shardID]?.isFinished == true { return false }
            guard let parent = shard.parentShardID, listed.contains(parent) else { return true }
            return byShard[parent]?.isFinished == true
        }
        let live = { (lease: ShardLease?) -> Bool in
            guard let lease else { return false }
            return liveShards.contains(lease.shardID)
        }
        var owners = Set(leases.filter { live($0) && !$0.isFinished }.compactMap(\.owner))
        owners.insert(me)
        let target = (eligible.count + owners.count - 1) / owners.count
        let mine = eligible.filter { byShard[$0.shardID]?.owner == me && live(byShard[$0.shardID]) }.count
        guard mine < target else { return [] }
        let free = eligible.filter { !live(byShard[$0.shardID]) }
        return Array(free.prefix(target - mine).map(\.shardID))
    }
}
