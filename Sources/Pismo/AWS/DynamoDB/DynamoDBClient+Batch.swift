import PismoJSON

/// BatchWriteItem / BatchGetItem with the unprocessed-items loop, and TransactWriteItems.
extension DynamoDBClient {
    /// Writes up to 25 requests (across tables). Items DynamoDB hands back as `UnprocessedItems`
    /// (throttled partitions; HTTP 200) are resent with backoff for up to `maxRounds` rounds; what is
    /// still unprocessed after that is returned (empty = everything written).
    public func batchWriteItem(_ requests: [String: [DynamoDBWriteRequest]], maxRounds: Int = 8) async throws
        -> [String: [DynamoDBWriteRequest]] {
        var pending = requests.filter { !$0.value.isEmpty }
        var round = 0
        while !pending.isEmpty, round < maxRounds {
            if round > 0 { try await transport.context.sleep(transport.context.retry.backoff(retry: round)) }
            let batch = pending
            let r = try await transport.call(Self.batchWriteItem) { w in
                w.key("RequestItems"); w.beginObject()
                for (table, writes) in batch {
                    w.key(table); w.beginArray()
                    for write in writes { write.write(into: &w) }
                    w.endArray()
                }
                w.endObject()
            }
            pending = DynamoDBWriteRequest.readTables(r["UnprocessedItems"])
            round += 1
        }
        return pending
    }

    /// Reads keys (≤ 100 across tables); `UnprocessedKeys` are re-requested with backoff.
    /// Returns the items found per table (missing keys are simply absent).
    public func batchGetItem(_ keys: [String: [DynamoDBItem]], consistentRead: Bool = false, maxRounds: Int = 8) async throws
        -> [String: [DynamoDBItem]] {
        var pending = keys.filter { !$0.value.isEmpty }
        var found: [String: [DynamoDBItem]] = [:]
        var round = 0
        while !pending.isEmpty {
            guard round < maxRounds else {
                throw AWSError(service: "dynamodb", operation: "BatchGetItem", status: 200, code: "UnprocessedKeys",
                               message: "\(pending.values.map(\.count).reduce(0, +)) keys still unprocessed after \(maxRounds) rounds")
            }
            if round > 0 { try await transport.context.sleep(transport.context.retry.backoff(retry: round)) }
            let batch = pending
            let r = try await transport.call(Self.batchGetItem) { w in
                w.key("RequestItems"); w.beginObject()
                for (table, tableKeys) in batch {
                    w.key(table); w.beginObject()
                    w.key("Keys"); w.beginArray()
                    for k in tableKeys { DynamoDBValue.writeItem(k, into: &w) }
                    w.endArray()
                    if consistentRead { w.key("ConsistentRead"); w.bool(true) }
                    w.endObject()
                }
                w.endObject()
            }
            for (table, items) in r["Responses"].fields {
                found[table, default: []] += items.elements.compactMap { DynamoDBValue.readItem($0) }
            }
            pending = [:]
            for (table, entry) in r["UnprocessedKeys"].fields {
                let left = entry["Keys"].items.compactMap { DynamoDBValue.readItem($0) }
                if !left.isEmpty { pending[table] = left }
            }
            round += 1
        }
        return found
    }

    /// All-or-nothing write of up to 100 items. `clientRequestToken` makes a retried call idempotent
    /// for 10 minutes. A failed condition throws `TransactionCanceledException` whose message lists
    /// the per-item reasons.
    public func transactWriteItems(_ items: [DynamoDBTransactItem], clientRequestToken: String? = nil) async throws {
        _ = try await transport.call(Self.transactWriteItems) { w in
            w.key("TransactItems"); w.beginArray()
            for item in items { Self.writeTransactItem(item, into: &w) }
            w.endArray()
            if let clientRequestToken { w.key("ClientRequestToken"); w.string(clientRequestToken) }
        }
    }

    static func writeTransactItem(_ item: DynamoDBTransactItem, into w: inout JSONWriter) {
        w.beginObject()
        switch item {
        case let .put(table, it, ex):
            w.key("Put"); w.beginObject(); w.key("TableName"); w.string(table)
            w.key("Item"); DynamoDBValue.writeItem(it, into: &w); ex.write(into: &w); w.endObject()
        case let .update(table, key, ex):
            w.key("Update"); w.beginObject(); w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w); ex.write(into: &w); w.endObject()
        case let .delete(table, key, ex):
            w.key("Delete"); w.beginObject(); w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w); ex.write(into: &w); w.endObject()
        case let .conditionCheck(table, key, ex):
            w.key("ConditionCheck"); w.beginObject(); w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w); ex.write(into: &w); w.endObject()
        }
        w.endObject()
    }
}
