import PismoJSON

/// Query (one partition, in sort-key order) and Scan (every partition, optionally one segment of
/// a parallel scan). `Limit` counts items read before the filter, and pages stop at 1 MB, as in DynamoDB.
extension FakeDynamo {
    static let pageBytes = 1024 * 1024

    func query(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        if root["IndexName"] != nil { throw .unimplemented("secondary indexes") }
        let e = try expressions(root)
        guard let keyCondition = e.keyCondition else { throw .validation("Query needs KeyConditionExpression") }
        if e.condition != nil || e.update != nil { throw .validation("Query accepts KeyCondition, Filter and Projection expressions") }
        guard let partition = try partitionValue(keyCondition, e.context, table) else {
            throw .validation("Query condition missed key schema element: \(table.hashKey)")
        }
        let forward = root["ScanIndexForward"]?.bool ?? true
        var sortKeys = (table.partitions[partition]?.keys).map { Array($0).sorted() } ?? []
        if !forward { sortKeys.reverse() }
        var start = 0
        if let exclusive = Item.parse(root["ExclusiveStartKey"]) {
            let (_, s) = try table.key(of: exclusive.get(), isKeyOnly: true)
            start = sortKeys.firstIndex { forward ? s < $0 : $0 < s } ?? sortKeys.count
        }
        let candidates = sortKeys[start...].lazy.map { (partition, $0) }
        return try page(table, Array(candidates), e, limit: root["Limit"]?.int, keyCondition: keyCondition)
    }

    func scan(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        if root["IndexName"] != nil { throw .unimplemented("secondary indexes") }
        let e = try expressions(root)
        if e.condition != nil || e.update != nil || e.keyCondition != nil { throw .validation("Scan accepts Filter and Projection expressions") }
        var order = table.sortedScanOrder()
        if let total = root["TotalSegments"]?.int {
            guard let segment = root["Segment"]?.int, total >= 1, total <= 1_000_000, segment >= 0, segment < total else {
                throw .validation("Segment must be in [0, TotalSegments)")
            }
            order = order.filter { Int($0.0.stableHash % UInt64(total)) == segment }
        }
        var start = 0
        if let exclusive = Item.parse(root["ExclusiveStartKey"]) {
            let k = try table.key(of: exclusive.get(), isKeyOnly: true)
            start = order.firstIndex { k.0 < $0.0 || (k.0 == $0.0 && k.1 < $0.1) } ?? order.count
        }
        return try page(table, Array(order[start...]), e, limit: root["Limit"]?.int, keyCondition: nil)
    }

    /// The hash-key equality of a key condition (`#c = :client`, possibly AND-ed with a sort-key test).
    private func partitionValue(_ c: Condition, _ context: ExpressionContext, _ table: Table) throws(FakeError) -> KeyValue? {
        switch c {
        case .and(let a, let b):
            if let v = try partitionValue(a, context, table) { return v }
            return try partitionValue(b, context, table)
        case .compare(.path(let p), .eq, .value(let v)), .compare(.value(let v), .eq, .path(let p)):
            guard try context.attributeName(p) == table.hashKey else { return nil }
            return try context.resolve(.value(v), in: nil).flatMap(KeyValue.init)
        case .or, .not, .inList:
            throw .validation("Invalid operator used in KeyConditionExpression")
        default: return nil
        }
    }

    private func page(_ table: Table, _ keys: [(KeyValue, KeyValue)], _ e: Expressions, limit: Int?,
                      keyCondition: Condition?) throws(FakeError) -> [UInt8] {
        if let limit, limit < 1 { throw .validation("Limit must be at least 1") }
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("Items"); w.beginArray()
        var count = 0, scanned = 0, bytes = 0
        var last: (KeyValue, KeyValue)?
        for k in keys {
            if let limit, scanned >= limit { break }
            if bytes >= Self.pageBytes { break }
            guard var item = table.get(k) else { continue }
            scanned += 1
            bytes += item.encoded.count
            last = k
            if let kc = keyCondition, try !e.context.evaluate(kc, on: item) { continue }
            if let f = e.filter, try !e.context.evaluate(f, on: item) { continue }
            if let p = e.projection { item = item.projected(p) }
            w.raw(item.encoded)
            count += 1
        }
        w.endArray()
        w.key("Count"); w.int(count)
        w.key("ScannedCount"); w.int(scanned)
        if let last, scanned < keys.count, let item = table.get(last) {
            w.key("LastEvaluatedKey"); w.raw(table.keyItem(of: item).encoded)
        }
        w.endObject()
        return w.bytes
    }
}
