import PismoJSON

/// The wire shape of one BatchWriteItem request (`{"PutRequest":{"Item":…}}` or
/// `{"DeleteRequest":{"Key":…}}`), both ways: written into `RequestItems`, read back from
/// `UnprocessedItems`. Apart from the client so the decoder can be fuzzed alone (scripts/fuzz-aws.sh).
extension DynamoDBWriteRequest {
    func write(into w: inout JSONWriter) {
        w.beginObject()
        switch self {
        case .put(let item):
            w.key("PutRequest"); w.beginObject(); w.key("Item"); DynamoDBValue.writeItem(item, into: &w); w.endObject()
        case .delete(let key):
            w.key("DeleteRequest"); w.beginObject(); w.key("Key"); DynamoDBValue.writeItem(key, into: &w); w.endObject()
        }
        w.endObject()
    }

    /// `{"table": [request, …], …}` as in `UnprocessedItems`; requests that are neither a valid put
    /// nor a valid delete are dropped (nothing could be resent for them), and so are empty tables.
    static func readTables(_ node: JSONNode?) -> [String: [DynamoDBWriteRequest]] {
        var out: [String: [DynamoDBWriteRequest]] = [:]
        for (table, list) in node.fields {
            let writes = list.elements.compactMap { e -> DynamoDBWriteRequest? in
                if let item = DynamoDBValue.readItem(e["PutRequest"]?["Item"]) { return .put(item) }
                if let key = DynamoDBValue.readItem(e["DeleteRequest"]?["Key"]) { return .delete(key: key) }
                return nil
            }
            if !writes.isEmpty { out[table] = writes }
        }
        return out
    }
}
