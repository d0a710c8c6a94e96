/// Query and Scan with pagination.
extension DynamoDBClient {
    public func query(_ q: DynamoDBQuery) async throws -> DynamoDBPage {
        try await page(Self.query, q, isQuery: true)
    }

    public func scan(_ q: DynamoDBQuery) async throws -> DynamoDBPage {
        try await page(Self.scan, q, isQuery: false)
    }

    /// Follows `LastEvaluatedKey` until the end (or `maxPages`), concatenating the items.
    public func queryAll(_ q: DynamoDBQuery, maxPages: Int = 1000) async throws -> [DynamoDBItem] {
        try await all(q, maxPages: maxPages, fetch: query)
    }

    public func scanAll(_ q: DynamoDBQuery, maxPages: Int = 1000) async throws -> [DynamoDBItem] {
        try await all(q, maxPages: maxPages, fetch: scan)
    }

    private func all(_ q: DynamoDBQuery, maxPages: Int,
                     fetch: (DynamoDBQuery) async throws -> DynamoDBPage) async throws -> [DynamoDBItem] {
        var request = q
        var items: [DynamoDBItem] = []
        for _ in 0..<maxPages {
            let p = try await fetch(request)
            items += p.items
            guard let next = p.lastEvaluatedKey else { break }
            request.exclusiveStartKey = next
        }
        return items
    }

    private func page(_ op: AWSOperation, _ q: DynamoDBQuery, isQuery: Bool) async throws -> DynamoDBPage {
        let r = try await transport.call(op) { w in
            w.key("TableName"); w.string(q.table)
            if let index = q.index { w.key("IndexName"); w.string(index) }
            q.expressions.write(into: &w)
            if let limit = q.limit { w.key("Limit"); w.int(limit) }
            if let start = q.exclusiveStartKey { w.key("ExclusiveStartKey"); DynamoDBValue.writeItem(start, into: &w) }
            if isQuery, !q.scanIndexForward { w.key("ScanIndexForward"); w.bool(false) }
            if q.consistentRead { w.key("ConsistentRead"); w.bool(true) }
            if !isQuery, let segment = q.segment, let total = q.totalSegments {
                w.key("Segment"); w.int(segment)
                w.key("TotalSegments"); w.int(total)
            }
        }
        let items = try r["Items"].items.map { node -> DynamoDBItem in
            guard let item = DynamoDBValue.readItem(node) else {
                throw AWSError(service: "dynamodb", operation: op.name, status: 200, code: AWSError.invalidResponse,
                               message: "malformed item in Items")
            }
            return item
        }
        return DynamoDBPage(items: items, count: r["Count"]?.int ?? items.count, scannedCount: r["ScannedCount"]?.int ?? items.count,
                            lastEvaluatedKey: DynamoDBValue.readItem(r["LastEvaluatedKey"]))
    }
}
