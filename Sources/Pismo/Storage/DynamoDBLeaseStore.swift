/// `pismo-leases` on DynamoDB: `shard_id` (S, HASH), `owner` (S), `lease_expires` (N, unix ms),
/// `checkpoint` (S), `resolved_through` (N, unix ms). Every write is conditional, which is what makes leases exclusive.
public struct DynamoDBLeaseStore: LeaseStore {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func leases() async throws -> [ShardLease] {
        try await dynamo.scanAll(DynamoDBQuery(table: table, consistentRead: true)).compactMap { item in
            guard let shard = item[LeasesTable.shardID]?.string else { return nil }
            return ShardLease(shardID: shard, owner: item[LeasesTable.owner]?.string,
                              expiresAtMillis: item[LeasesTable.leaseExpires]?.int64 ?? 0, checkpoint: item[LeasesTable.checkpoint]?.string,
                              resolvedThroughMillis: item[LeasesTable.resolvedThrough]?.int64)
        }
    }

    public func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool {
        var values: [String: DynamoDBValue] = [":me": .s(owner), ":exp": .number(expiresAtMillis)]
        let condition: String
        if let observed {
            values[":seenExp"] = .number(observed.expiresAtMillis)
            if let previous = observed.owner {
                values[":seenOwner"] = .s(previous)
                condition = "#o = :seenOwner AND lease_expires = :seenExp"
            } else {
                condition = "attribute_not_exists(#o) AND lease_expires = :seenExp"
            }
        } else {
            condition = "attribute_not_exists(shard_id)"
        }
        return try await conditional(shardID, DynamoDBExpressions(
            condition: condition, update: "SET #o = :me, lease_expires = :exp", names: ["#o": "owner"], values: values))
    }

    public func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool {
        try await conditional(shardID, DynamoDBExpressions(
            condition: "#o = :me", update: "SET lease_expires = :exp", names: ["#o": "owner"],
            values: [":me": .s(owner), ":exp": .number(expiresAtMillis)]))
    }

    public func checkpoint(shardID: String, owner: String, sequenceNumber: String?, resolvedThroughMillis: Int64?) async throws -> Bool {
        var sets: [String] = []
        var names = ["#o": LeasesTable.owner]
        var values: [String: DynamoDBValue] = [":me": .s(owner)]
        if let sequenceNumber {
            sets.append("#c = :seq"); names["#c"] = LeasesTable.checkpoint; values[":seq"] = .s(sequenceNumber)
        }
        if let resolvedThroughMillis {
            sets.append("#r = :rt"); names["#r"] = LeasesTable.resolvedThrough; values[":rt"] = .number(resolvedThroughMillis)
        }
        // Nothing to write: the conditional no-op still answers whether `owner` holds the lease.
        if sets.isEmpty { sets.append("#o = :me") }
        return try await conditional(shardID, DynamoDBExpressions(
            condition: "#o = :me", update: "SET " + sets.joined(separator: ", "), names: names, values: values))
    }


    /// false when the condition failed: someone else holds (or took) the lease.
    private func conditional(_ shardID: String, _ expressions: DynamoDBExpressions) async throws -> Bool {
        do {
            _ = try await dynamo.updateItem(table: table, key: [LeasesTable.shardID: .s(shardID)], expressions: expressions)
            return true
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return false
        }
    }
}
