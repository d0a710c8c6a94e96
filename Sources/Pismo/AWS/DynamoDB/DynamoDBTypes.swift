import PismoJSON

/// Expression parts of a request. Names (`#n` → attribute name) and values (`:v` → value) are shared
/// by every expression of the request, as DynamoDB requires.
public struct DynamoDBExpressions: Sendable, Equatable {
    public var condition: String?
    public var update: String?
    public var keyCondition: String?
    public var filter: String?
    public var projection: String?
    public var names: [String: String]
    public var values: [String: DynamoDBValue]

    public init(condition: String? = nil, update: String? = nil, keyCondition: String? = nil, filter: String? = nil,
                projection: String? = nil, names: [String: String] = [:], values: [String: DynamoDBValue] = [:]) {
        self.condition = condition
        self.update = update
        self.keyCondition = keyCondition
        self.filter = filter
        self.projection = projection
        self.names = names
        self.values = values
    }

    func write(into w: inout JSONWriter) {
        if let condition { w.key("ConditionExpression"); w.string(condition) }
        if let update { w.key("UpdateExpression"); w.string(update) }
        if let keyCondition { w.key("KeyConditionExpression"); w.string(keyCondition) }
        if let filter { w.key("FilterExpression"); w.string(filter) }
        if let projection { w.key("ProjectionExpression"); w.string(projection) }
        if !names.isEmpty {
            w.key("ExpressionAttributeNames"); w.beginObject()
            for (k, v) in names { w.key(k); w.string(v) }
            w.endObject()
        }
        if !values.isEmpty { w.key("ExpressionAttributeValues"); DynamoDBValue.writeItem(values, into: &w) }
    }
}

public enum DynamoDBReturnValues: String, Sendable {
    case none = "NONE", allOld = "ALL_OLD", updatedOld = "UPDATED_OLD", allNew = "ALL_NEW", updatedNew = "UPDATED_NEW"
}

public enum DynamoDBStreamViewType: String, Sendable {
    case keysOnly = "KEYS_ONLY", newImage = "NEW_IMAGE", oldImage = "OLD_IMAGE", newAndOldImages = "NEW_AND_OLD_IMAGES"
}

public struct DynamoDBKeyElement: Sendable, Equatable {
    public enum KeyType: String, Sendable { case hash = "HASH", range = "RANGE" }
    public enum AttributeType: String, Sendable { case s = "S", n = "N", b = "B" }
    public var name: String
    public var keyType: KeyType
    public var attributeType: AttributeType

    public init(_ name: String, _ keyType: KeyType, _ attributeType: AttributeType) {
        self.name = name
        self.keyType = keyType
        self.attributeType = attributeType
    }
}

public struct DynamoDBTableDescription: Sendable, Equatable {
    public var name: String
    public var status: String
    public var keySchema: [String]
    public var itemCount: Int64?
    public var streamEnabled: Bool
    public var streamViewType: String?
    public var latestStreamARN: String?
    public var latestStreamLabel: String?
    public var billingMode: String?

    init(json t: JSONNode) {
        name = t["TableName"]?.string ?? ""
        status = t["TableStatus"]?.string ?? ""
        keySchema = t["KeySchema"].items.compactMap { $0["AttributeName"]?.string }
        itemCount = t["ItemCount"]?.int64
        streamEnabled = t["StreamSpecification"]?["StreamEnabled"]?.bool ?? false
        streamViewType = t["StreamSpecification"]?["StreamViewType"]?.string
        latestStreamARN = t["LatestStreamArn"]?.string
        latestStreamLabel = t["LatestStreamLabel"]?.string
        billingMode = t["BillingModeSummary"]?["BillingMode"]?.string
    }
}

/// One page of Query or Scan; pass `lastEvaluatedKey` back as `exclusiveStartKey` until it is nil.
public struct DynamoDBPage: Sendable, Equatable {
    public var items: [DynamoDBItem]
    public var count: Int
    public var scannedCount: Int
    public var lastEvaluatedKey: DynamoDBItem?
}

public struct DynamoDBQuery: Sendable {
    public var table: String
    public var index: String?
    public var expressions: DynamoDBExpressions
    public var limit: Int?
    public var exclusiveStartKey: DynamoDBItem?
    public var scanIndexForward: Bool
    public var consistentRead: Bool
    /// A parallel Scan's part (both set or neither; Scan only).
    public var segment: Int?
    public var totalSegments: Int?

    public init(table: String, index: String? = nil, expressions: DynamoDBExpressions = DynamoDBExpressions(),
                limit: Int? = nil, exclusiveStartKey: DynamoDBItem? = nil, scanIndexForward: Bool = true,
                consistentRead: Bool = false) {
        self.table = table
        self.index = index
        self.expressions = expressions
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
        self.scanIndexForward = scanIndexForward
        self.consistentRead = consistentRead
    }
}

public enum DynamoDBWriteRequest: Sendable, Equatable {
    case put(DynamoDBItem)
    case delete(key: DynamoDBItem)
}

public enum DynamoDBTransactItem: Sendable, Equatable {
    case put(table: String, item: DynamoDBItem, expressions: DynamoDBExpressions = DynamoDBExpressions())
    case update(table: String, key: DynamoDBItem, expressions: DynamoDBExpressions)
    case delete(table: String, key: DynamoDBItem, expressions: DynamoDBExpressions = DynamoDBExpressions())
    case conditionCheck(table: String, key: DynamoDBItem, expressions: DynamoDBExpressions)
}

extension AWSError {
    /// A conditional write found the condition false: for `attribute_not_exists` puts this means
    /// "already stored", not a failure.
    public var isConditionalCheckFailed: Bool { code == "ConditionalCheckFailedException" }
}
