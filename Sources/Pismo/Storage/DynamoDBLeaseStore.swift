/// `pismo-leases` on DynamoDB: `shard_id` (S, HASH), `owner` (S), `lease_expires` (N, unix ms),
/// `lease_counter` (N), `checkpoint` (S), `resolved_through` (N, unix ms). Every write is
/// conditional, which is what makes leases exclusive; take-overs and renewals increment the counter.
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
                              resolvedThroughMillis: item[LeasesTable.resolvedThrough]?.int64,
                              counter: item[LeasesTable.leaseCounter]?.int64)
        }
    }

    /// Succeeds only if the row is exactly as observed: same owner, same `lease_expires`, same counter
    /// (or still none, for a row from before the counter).
    public func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool {
        var values: [String: DynamoDBValue] = [":me": .s(owner), ":exp": .number(expiresAtMillis), ":one": .number(1), ":zero": .number(0)]
        var names = ["#o": LeasesTable.owner, "#c": LeasesTable.leaseCounter]
        var conditions: [String] = []
        if let observed {
            names["#e"] = LeasesTable.leaseExpires
            values[":seenExp"] = .number(observed.expiresAtMillis)
            conditions.append("#e = :seenExp")
            if let previous = observed.owner {
                values[":seenOwner"] = .s(previous)
                conditions.append("#o = :seenOwner")
            } else {
                conditions.append("attribute_not_exists(#o)")
            }
            if let counter = observed.counter {
                values[":seenCounter"] = .number(counter)
                conditions.append("#c = :seenCounter")
            } else {
                conditions.append("attribute_not_exists(#c)")
            }
        } else {
            conditions.append("attribute_not_exists(\(LeasesTable.shardID))")
        }
        return try await conditional(shardID, DynamoDBExpressions(
            condition: conditions.joined(separator: " AND "),
            update: "SET #o = :me, \(LeasesTable.leaseExpires) = :exp, #c = if_not_exists(#c, :zero) + :one", names: names, values: values))
    }

    /// Moves the counter (what other instances watch) and the informational expiry.
    public func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool {
        try await conditional(shardID, DynamoDBExpressions(
            condition: "#o = :me", update: "SET \(LeasesTable.leaseExpires) = :exp, #c = if_not_exists(#c, :zero) + :one",
            names: ["#o": LeasesTable.owner, "#c": LeasesTable.leaseCounter],
            values: [":me": .s(owner), ":exp": .number(expiresAtMillis), ":one": .number(1), ":zero": .number(0)]))
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
