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
    /// Unix milliseconds after which another instance may take the lease.
    public var expiresAtMillis: Int64
    /// Highest sequence number below which every record is resolved, or `shardEnd`.
    public var checkpoint: String?
    /// Unix ms: every record this shard received up to then is resolved. A trim replays from here.
    public var resolvedThroughMillis: Int64?

    public init(shardID: String, owner: String?, expiresAtMillis: Int64, checkpoint: String?, resolvedThroughMillis: Int64? = nil) {
        self.resolvedThroughMillis = resolvedThroughMillis
        self.shardID = shardID
        self.owner = owner
        self.expiresAtMillis = expiresAtMillis
        self.checkpoint = checkpoint
    }

    public var isFinished: Bool { checkpoint == Self.shardEnd }
}

/// Decides which shards this instance should try to lease. Pure, so the rules are testable:
/// - a finished shard (checkpoint SHARD_END) is never leased again;
/// - lineage: a child becomes eligible only when its parent is finished, or when the parent is no
///   longer listed by the stream (trimmed after 24 h) — "process a parent before its child";
/// - fairness: each instance aims for ceil(eligible / live instances) shards, where live instances
///   are the distinct owners of unexpired leases plus this one; free or expired leases are taken first,
///   nothing is stolen from a live owner.
public enum LeasePlanner {
    public static func shardsToAcquire(shards: [ShardInfo], leases: [ShardLease], me: String, nowMillis: Int64) -> [String] {
        let byShard = Dictionary(leases.map { ($0.shardID, $0) }, uniquingKeysWith: { a, _ in a })
        let listed = Set(shards.map(\.shardID))
        let eligible = shards.filter { shard in
            if byShard[shard.shardID]?.isFinished == true { return false }
            guard let parent = shard.parentShardID, listed.contains(parent) else { return true }
            return byShard[parent]?.isFinished == true
        }
        let live = { (lease: ShardLease?) -> Bool in
            guard let lease, let owner = lease.owner else { return false }
            return !owner.isEmpty && lease.expiresAtMillis > nowMillis
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
