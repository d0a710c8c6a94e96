import PismoJSON

/// CreateTable, DescribeTable, UpdateTable (stream on/off), DeleteTable, ListTables, the TTL calls.
/// Tables are ACTIVE at once.
extension FakeDynamo {
    func createTable(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        guard let name = root["TableName"]?.string, !name.isEmpty else { throw .validation("TableName is required") }
        if tables[name] != nil { throw FakeError(code: "ResourceInUseException", message: "Table already exists: \(name)") }
        var types: [String: String] = [:]
        for d in root["AttributeDefinitions"]?.elements ?? JSONNode.emptyElements {
            if let n = d["AttributeName"]?.string, let t = d["AttributeType"]?.string { types[n] = t }
        }
        var hash: String?, range: String?
        for k in root["KeySchema"]?.elements ?? JSONNode.emptyElements {
            switch k["KeyType"]?.string {
            case "HASH": hash = k["AttributeName"]?.string
            case "RANGE": range = k["AttributeName"]?.string
            default: throw .validation("KeySchema: KeyType must be HASH or RANGE")
            }
        }
        guard let hash, let hashType = types[hash] else { throw .validation("One or more parameter values were invalid: no HASH key defined in AttributeDefinitions") }
        var keyTypes = [(name: hash, type: hashType)]
        if let range {
            guard let t = types[range] else { throw .validation("One or more parameter values were invalid: the RANGE key is not in AttributeDefinitions") }
            keyTypes.append((range, t))
        }
        if root["GlobalSecondaryIndexes"] != nil || root["LocalSecondaryIndexes"] != nil { throw .unimplemented("secondary indexes") }
        let table = Table(name: name, hashKey: hash, rangeKey: range, keyTypes: keyTypes, createdAtMillis: nowMillis)
        tables[name] = table
        try applyStreamSpecification(root["StreamSpecification"], to: table, nowMillis: nowMillis)
        return response { w in w.key("TableDescription"); table.description(region: region, account: account)(&w) }
    }

    func describeTable(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        return response { w in w.key("Table"); table.description(region: region, account: account)(&w) }
    }

    func updateTable(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        guard let spec = root["StreamSpecification"] else { throw .unimplemented("UpdateTable without StreamSpecification") }
        try applyStreamSpecification(spec, to: table, nowMillis: nowMillis)
        return response { w in w.key("TableDescription"); table.description(region: region, account: account)(&w) }
    }

    func deleteTable(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        table.stream?.close(lastSequence: nextSequence())
        tables[table.name] = nil
        return response { w in w.key("TableDescription"); table.description(region: region, account: account)(&w) }
    }

    func listTables(_ root: JSONNode) -> [UInt8] {
        response { w in
            w.key("TableNames"); w.beginArray()
            for name in tables.keys.sorted() { w.string(name) }
            w.endArray()
        }
    }

    func updateTimeToLive(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        guard let spec = root["TimeToLiveSpecification"], let enabled = spec["Enabled"]?.bool, let attribute = spec["AttributeName"]?.string else {
            throw .validation("TimeToLiveSpecification needs Enabled and AttributeName")
        }
        // Recorded and reported; items are never expired (a benchmark runs far shorter than any TTL).
        table.ttlAttribute = enabled ? attribute : nil
        return response { w in
            w.key("TimeToLiveSpecification"); w.beginObject()
            w.key("Enabled"); w.bool(enabled); w.key("AttributeName"); w.string(attribute)
            w.endObject()
        }
    }

    func describeTimeToLive(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        return response { w in
            w.key("TimeToLiveDescription"); w.beginObject()
            w.key("TimeToLiveStatus"); w.string(table.ttlAttribute == nil ? "DISABLED" : "ENABLED")
            if let a = table.ttlAttribute { w.key("AttributeName"); w.string(a) }
            w.endObject()
        }
    }

    private func applyStreamSpecification(_ spec: JSONNode?, to table: Table, nowMillis: Int64) throws(FakeError) {
        guard let spec else { return }
        let enabled = spec["StreamEnabled"]?.bool ?? false
        if enabled {
            guard let view = spec["StreamViewType"]?.string, ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"].contains(view) else {
                throw .validation("StreamViewType must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES")
            }
            if let s = table.stream, s.enabled { throw .validation("Table already has an enabled stream") }
            let stream = Stream(table: table.name, keySchema: table.keyTypes, viewType: view, shardCount: shardCount,
                                nowMillis: nowMillis, firstSequence: nextSequence(), region: region, account: account)
            table.stream = stream
            streams.append(stream)
        } else if let s = table.stream, s.enabled {
            s.close(lastSequence: nextSequence())
        }
    }

    /// `{...}` with the members `body` writes.
    func response(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        body(&w)
        w.endObject()
        return w.bytes
    }
}

extension JSONNode {
    static var emptyElements: JSONElements { emptyArrayDocument.root.elements }
    private static let emptyArrayDocument = try! JSONDocument(bytes: Array("[]".utf8))
}
