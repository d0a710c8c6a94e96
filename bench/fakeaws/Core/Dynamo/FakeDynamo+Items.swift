import PismoJSON

/// PutItem, GetItem, UpdateItem, DeleteItem, with conditions evaluated against the stored item.
extension FakeDynamo {
    static let maxItemBytes = 400 * 1024

    func putItem(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        guard case .success(let item)? = Item.parse(root["Item"]) else {
            if case .failure(let e)? = Item.parse(root["Item"]) { throw e }
            throw .validation("Item is required")
        }
        let key = try table.key(of: item, isKeyOnly: false)
        let e = try expressions(root)
        if e.update != nil || e.keyCondition != nil || e.filter != nil || e.projection != nil {
            throw .validation("PutItem accepts only ConditionExpression")
        }
        if item.approximateSize > Self.maxItemBytes { throw .validation("Item size has exceeded the maximum allowed size") }
        let old = table.get(key)
        if let c = e.condition, try !e.context.evaluate(c, on: old) { throw Self.conditionFailed }
        let returnOld = try returnValues(root, allowed: ["NONE", "ALL_OLD"]) == "ALL_OLD"
        table.write(key, new: item, sequence: nextSequence, eventID: nextEventID, nowMillis: nowMillis)
        return attributesResponse(returnOld ? old : nil)
    }

    func getItem(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        let key = try keyArgument(root, table)
        let e = try expressions(root)
        if e.condition != nil || e.update != nil || e.keyCondition != nil || e.filter != nil {
            throw .validation("GetItem accepts only ProjectionExpression")
        }
        guard var item = table.get(key) else { return Array("{}".utf8) }
        if let p = e.projection { item = item.projected(p) }
        var w = JSONWriter(capacity: item.encoded.count + 16)
        w.beginObject(); w.key("Item"); w.raw(item.encoded); w.endObject()
        return w.bytes
    }

    func updateItem(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        let key = try keyArgument(root, table)
        let e = try expressions(root)
        if e.keyCondition != nil || e.filter != nil || e.projection != nil {
            throw .validation("UpdateItem accepts only UpdateExpression and ConditionExpression")
        }
        let returning = try returnValues(root, allowed: ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
        let old = table.get(key)
        if let c = e.condition, try !e.context.evaluate(c, on: old) { throw Self.conditionFailed }
        let base: Item
        if let old { base = old } else { base = try Item.parse(root["Key"])!.get() }
        var new = base
        if let u = e.update { new = try e.context.apply(u, to: base, keyNames: table.keyNames) }
        if new.approximateSize > Self.maxItemBytes { throw .validation("Item size to update has exceeded the maximum allowed size") }
        table.write(key, new: new, sequence: nextSequence, eventID: nextEventID, nowMillis: nowMillis)
        switch returning {
        case "ALL_OLD": return attributesResponse(old)
        case "ALL_NEW": return attributesResponse(new)
        case "UPDATED_OLD", "UPDATED_NEW":
            let touched = try (e.update?.sets.map(\.path) ?? []).map { (p) throws(FakeError) in try e.context.attributeName(p) }
            return attributesResponse((returning == "UPDATED_OLD" ? old : new)?.projected(touched))
        default: return Array("{}".utf8)
        }
    }

    func deleteItem(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        let table = try table(root)
        let key = try keyArgument(root, table)
        let e = try expressions(root)
        if e.update != nil || e.keyCondition != nil || e.filter != nil || e.projection != nil {
            throw .validation("DeleteItem accepts only ConditionExpression")
        }
        let returnOld = try returnValues(root, allowed: ["NONE", "ALL_OLD"]) == "ALL_OLD"
        let old = table.get(key)
        if let c = e.condition, try !e.context.evaluate(c, on: old) { throw Self.conditionFailed }
        table.write(key, new: nil, sequence: nextSequence, eventID: nextEventID, nowMillis: nowMillis)
        return attributesResponse(returnOld ? old : nil)
    }

    func keyArgument(_ root: JSONNode, _ table: Table) throws(FakeError) -> (KeyValue, KeyValue) {
        guard let parsed = Item.parse(root["Key"]) else { throw .validation("Key is required") }
        return try table.key(of: parsed.get(), isKeyOnly: true)
    }

    func returnValues(_ root: JSONNode, allowed: [String]) throws(FakeError) -> String {
        let value = root["ReturnValues"]?.string ?? "NONE"
        guard allowed.contains(value) else { throw .validation("ReturnValues \(value) is not valid for this operation") }
        return value
    }

    func attributesResponse(_ item: Item?) -> [UInt8] {
        guard let item, !item.attributes.isEmpty else { return Array("{}".utf8) }
        var w = JSONWriter(capacity: item.encoded.count + 24)
        w.beginObject(); w.key("Attributes"); w.raw(item.encoded); w.endObject()
        return w.bytes
    }
}
