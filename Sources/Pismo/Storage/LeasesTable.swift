/// The shard leases table's layout (`pismo-leases`); part of the operator contract.
public enum LeasesTable {
    public static let shardID = "shard_id", owner = "owner", leaseExpires = "lease_expires", checkpoint = "checkpoint"
    /// N, unix ms: every record of the shard received up to then is resolved (written with the
    /// checkpoint; a trimmed stream is replayed from the Events table from this time on).
    public static let resolvedThrough = "resolved_through"
    public static let keySchema: [DynamoDBKeyElement] = [.init(shardID, .hash, .s)]
}
