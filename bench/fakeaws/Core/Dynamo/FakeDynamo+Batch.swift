import PismoJSON

/// BatchWriteItem (puts and deletes, unconditional, ≤ 25) and BatchGetItem (≤ 100 keys).
/// `unprocessed` decides per write whether it comes back in UnprocessedItems, which is how DynamoDB
/// throttles part of a batch while answering 200.
extension FakeDynamo {
    func batchWriteItem(_ root: JSONNode, nowMillis: Int64, unprocessed: () -> Bool) throws(FakeError) -> [UInt8] {
        guard let requests = root["RequestItems"], requests.isObject, requests.count > 0 else {
            throw .validation("RequestItems must name at least one table")
        }
        var writes: [(Table, (KeyValue, KeyValue), Item?, JSONNode)] = []
        var seen: Set<String> = []
        for (tableName, list) in requests.members {
            guard let table = tables[tableName] else { throw .resourceNotFound("Requested resource not found: Table: \(tableName) not found") }
            for request in list.elements {
                if let put = request["PutRequest"] {
                    guard let parsed = Item.parse(put["Item"]) else { throw .validation("PutRequest needs Item") }
                    let item = try parsed.get()
                    if item.approximateSize > Self.maxItemBytes { throw .validation("Item size has exceeded the maximum allowed size") }
                    writes.append((table, try table.key(of: item, isKeyOnly: false), item, request))
                } else if let delete = request["DeleteRequest"] {
                    guard let parsed = Item.parse(delete["Key"]) else { throw .validation("DeleteRequest needs Key") }
                    writes.append((table, try table.key(of: parsed.get(), isKeyOnly: true), nil, request))
                } else {
                    throw .validation("Each write request needs PutRequest or DeleteRequest")
                }
                let k = writes.last!.1
                guard seen.insert("\(tableName)\u{0}\(k.0.text)\u{0}\(k.1.text)").inserted else {
                    throw .validation("Provided list of item keys contains duplicates")
                }
            }
        }
        if writes.isEmpty || writes.count > 25 { throw .validation("Too many items requested for the BatchWriteItem call (1 to 25)") }
        var left: [String: [JSONNode]] = [:]
        for (table, key, item, request) in writes {
            if unprocessed() { left[table.name, default: []].append(request); continue }
            table.write(key, new: item, sequence: nextSequence, eventID: nextEventID, nowMillis: nowMillis)
        }
        return response { w in
            w.key("UnprocessedItems"); w.beginObject()
            for (name, requests) in left.sorted(by: { $0.key < $1.key }) {
                w.key(name); w.beginArray()
                for r in requests { w.value(r) }
                w.endArray()
            }
            w.endObject()
        }
    }

    func batchGetItem(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        guard let requests = root["RequestItems"], requests.isObject, requests.count > 0 else {
            throw .validation("RequestItems must name at least one table")
        }
        var total = 0
        var found: [(String, [Item])] = []
        for (tableName, spec) in requests.members {
            guard let table = tables[tableName] else { throw .resourceNotFound("Requested resource not found: Table: \(tableName) not found") }
            let e = try expressions(spec)
            var items: [Item] = []
            for k in spec["Keys"]?.elements ?? JSONNode.emptyElements {
                total += 1
                guard let parsed = Item.parse(k) else { continue }
                if var item = table.get(try table.key(of: parsed.get(), isKeyOnly: true)) {
                    if let p = e.projection { item = item.projected(p) }
                    items.append(item)
                }
            }
            found.append((tableName, items))
        }
        if total == 0 || total > 100 { throw .validation("Too many items requested for the BatchGetItem call (1 to 100)") }
        return response { w in
            w.key("Responses"); w.beginObject()
            for (name, items) in found {
                w.key(name); w.beginArray()
                for item in items { w.raw(item.encoded) }
                w.endArray()
            }
            w.endObject()
            w.key("UnprocessedKeys"); w.beginObject(); w.endObject()
        }
    }
}
