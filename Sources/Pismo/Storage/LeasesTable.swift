/// The shard leases table's layout (`pismo-leases`); part of the operator contract.
public enum LeasesTable {
    public static let shardID = "shard_id", owner = "owner", leaseExpires = "lease_expires", checkpoint = "checkpoint"
    /// N, unix ms: every record of the shard received up to then is resolved (written with the
    /// checkpoint; a trimmed stream is replayed from the Events table from this time on).
    public static let resolvedThrough = "resolved_through"
    /// N: incremented by every take-over and renewal. Other instances judge a lease by whether this
    /// moved within the lease duration on *their own* monotonic clock, never by comparing wall clocks
    /// (`LeaseObserver`). Absent on rows written before it existed: those count from their first renewal.
    public static let leaseCounter = "lease_counter"
    public static let keySchema: [DynamoDBKeyElement] = [.init(shardID, .hash, .s)]
}
