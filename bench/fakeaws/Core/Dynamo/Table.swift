import PismoJSON

/// One table in memory: partitions by hash key, items by sort key, and the stream its writes feed.
public final class Table {
    public let name: String
    public let hashKey: String
    public let rangeKey: String?
    /// (name, type) of the key attributes, for validation and descriptions.
    public let keyTypes: [(name: String, type: String)]
    public let createdAtMillis: Int64
    public var partitions: [KeyValue: [KeyValue: Item]] = [:]
    public private(set) var itemCount = 0
    public var stream: Stream?
    public var ttlAttribute: String?
    /// Scan order (partition, then sort key), rebuilt after writes only when a Scan asks for it.
    private var scanOrder: [(KeyValue, KeyValue)]?

    init(name: String, hashKey: String, rangeKey: String?, keyTypes: [(name: String, type: String)], createdAtMillis: Int64) {
        self.name = name
        self.hashKey = hashKey
        self.rangeKey = rangeKey
        self.keyTypes = keyTypes
        self.createdAtMillis = createdAtMillis
    }

    var keyNames: [String] { rangeKey.map { [hashKey, $0] } ?? [hashKey] }

    /// The (partition, sort) key of an item or a Key map, checked against the schema.
    func key(of item: Item, isKeyOnly: Bool) throws(FakeError) -> (KeyValue, KeyValue) {
        if isKeyOnly, item.attributes.count != keyNames.count {
            throw .validation("The provided key element does not match the schema")
        }
        var parts: [KeyValue] = []
        for (name, type) in keyTypes {
            guard let value = item[name] else {
                throw .validation(isKeyOnly ? "The provided key element does not match the schema"
                                            : "One or more parameter values were invalid: Missing the key \(name) in the item")
            }
            guard value.kind.rawValue == type, let key = KeyValue(value) else {
                throw .validation("One or more parameter values were invalid: Type mismatch for key \(name) expected: \(type) actual: \(value.kind.rawValue)")
            }
            if value.kind == .s, value.raw.count <= 2 {
                throw .validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: \(name)")
            }
            parts.append(key)
        }
        return (parts[0], parts.count > 1 ? parts[1] : .none)
    }

    func keyItem(of item: Item) -> Item {
        Item(keyNames.compactMap { name in item[name].map { (name, $0) } })
    }

    func get(_ key: (KeyValue, KeyValue)) -> Item? { partitions[key.0]?[key.1] }

    /// Stores (or removes, when `new` is nil) and feeds the stream; a write that changes nothing
    /// makes no stream record, as in DynamoDB.
    func write(_ key: (KeyValue, KeyValue), new: Item?, sequence: () -> UInt64, eventID: () -> String, nowMillis: Int64) {
        let old = partitions[key.0]?[key.1]
        if old == nil && new == nil { return }
        if let old, let new, old.sameContent(as: new) {
            partitions[key.0, default: [:]][key.1] = new
            return
        }
        if let new {
            partitions[key.0, default: [:]][key.1] = new
            if old == nil { itemCount += 1; scanOrder = nil }
        } else {
            partitions[key.0]?[key.1] = nil
            if partitions[key.0]?.isEmpty == true { partitions[key.0] = nil }
            itemCount -= 1
            scanOrder = nil
        }
        if let stream, stream.enabled {
            stream.record(partition: key.0, keys: keyItem(of: (new ?? old)!), old: old, new: new, sequence: sequence(),
                          eventID: eventID(), nowMillis: nowMillis)
        }
    }

    func sortedScanOrder() -> [(KeyValue, KeyValue)] {
        if let scanOrder { return scanOrder }
        var order: [(KeyValue, KeyValue)] = []
        order.reserveCapacity(itemCount)
        for p in partitions.keys.sorted() {
            for s in partitions[p]!.keys.sorted() { order.append((p, s)) }
        }
        scanOrder = order
        return order
    }

    func description(region: String, account: String) -> (inout JSONWriter) -> Void {
        { [self] w in
            w.beginObject()
            w.key("TableName"); w.string(name)
            w.key("TableArn"); w.string("arn:aws:dynamodb:\(region):\(account):table/\(name)")
            w.key("TableId"); w.string("fake-\(name)")
            w.key("TableStatus"); w.string("ACTIVE")
            w.key("CreationDateTime"); w.double(Double(createdAtMillis) / 1000)
            w.key("ItemCount"); w.int(itemCount)
            w.key("TableSizeBytes"); w.int(0)
            w.key("KeySchema"); w.beginArray()
            for (i, k) in keyTypes.enumerated() {
                w.beginObject(); w.key("AttributeName"); w.string(k.name); w.key("KeyType"); w.string(i == 0 ? "HASH" : "RANGE"); w.endObject()
            }
            w.endArray()
            w.key("AttributeDefinitions"); w.beginArray()
            for k in keyTypes {
                w.beginObject(); w.key("AttributeName"); w.string(k.name); w.key("AttributeType"); w.string(k.type); w.endObject()
            }
            w.endArray()
            w.key("BillingModeSummary"); w.beginObject(); w.key("BillingMode"); w.string("PAY_PER_REQUEST"); w.endObject()
            w.key("ProvisionedThroughput"); w.beginObject()
            w.key("ReadCapacityUnits"); w.int(0); w.key("WriteCapacityUnits"); w.int(0); w.key("NumberOfDecreasesToday"); w.int(0)
            w.endObject()
            if let stream, stream.enabled {
                w.key("StreamSpecification"); w.beginObject()
                w.key("StreamEnabled"); w.bool(true); w.key("StreamViewType"); w.string(stream.viewType)
                w.endObject()
            }
            if let stream {
                w.key("LatestStreamArn"); w.string(stream.arn)
                w.key("LatestStreamLabel"); w.string(stream.label)
            }
            w.endObject()
        }
    }
}
