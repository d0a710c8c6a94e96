/// How a fakeaws instance behaves; every field has a command-line flag (see bench/fakeaws/README.md).
public struct FakeConfiguration: Sendable {
    public var region = "us-east-1"
    public var account = "000000000000"
    /// Open shards per table stream; each partition key hashes to one.
    public var shards = 4
    /// Check SigV4 signatures against `secretKey` (otherwise any Authorization, or none, is accepted).
    public var verifySignatures = false
    public var accessKey = "test"
    public var secretKey = "test"
    /// Fraction of eligible requests answered with the service's throttling error (and, for
    /// BatchWriteItem, fraction of writes handed back in UnprocessedItems).
    public var throttleRate = 0.0
    /// Fraction of eligible requests answered with a 5xx, before doing anything.
    public var errorRate = 0.0
    /// Operations faults apply to ("PutItem", ...); the data plane by default, so `pismo init` runs clean.
    public var faultOperations: Set<String> = FakeConfiguration.dataPlane
    public var seed: UInt64 = 1

    public static let dataPlane: Set<String> = [
        "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem",
        "BatchGetItem", "GetShardIterator", "GetRecords",
    ]

    public init() {}
}
