/// The shard leases table's layout (`pismo-leases`); part of the operator contract.
public enum LeasesTable {
    public static let shardID = "shard_id", owner = "owner", leaseExpires = "lease_expires", checkpoint = "checkpoint"
    public static let keySchema: [DynamoDBKeyElement] = [.init(shardID, .hash, .s)]
}
