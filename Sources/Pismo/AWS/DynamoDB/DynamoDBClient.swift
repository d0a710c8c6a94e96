import PismoJSON

/// Amazon DynamoDB over AWS JSON 1.0 (`DynamoDB_20120810.*`). Responses are CRC32-checked against
/// `x-amz-crc32` before decoding. Thread-safe value; calls run concurrently.
public struct DynamoDBClient: Sendable {
    public let transport: AWSJSONClient

    public init(context: AWSClientContext, endpoint: String? = nil) {
        transport = AWSJSONClient(service: .dynamoDB, context: context, endpoint: endpoint)
    }

    // Retry safety (see AWSOperation.RetrySafety).
    static let createTable = AWSOperation("CreateTable", .conditional)   // a repeat reports ResourceInUseException
    static let describeTable = AWSOperation("DescribeTable", .idempotent)
    static let updateTable = AWSOperation("UpdateTable", .conditional)   // a repeat reports ValidationException/ResourceInUse
    static let deleteTable = AWSOperation("DeleteTable", .conditional)   // a repeat reports ResourceNotFound/InUse
    static let putItem = AWSOperation("PutItem", .idempotent)            // same item twice is one item; conditional puts report the repeat
    static let getItem = AWSOperation("GetItem", .idempotent)
    // SET-style updates converge; ADD/list_append do not, and need a ConditionExpression to be retry-safe.
    static let updateItem = AWSOperation("UpdateItem", .conditional)
    static let deleteItem = AWSOperation("DeleteItem", .idempotent)
    static let query = AWSOperation("Query", .idempotent)
    static let scan = AWSOperation("Scan", .idempotent)
    static let batchWriteItem = AWSOperation("BatchWriteItem", .idempotent)  // puts/deletes of whole items
    static let batchGetItem = AWSOperation("BatchGetItem", .idempotent)
    static let transactWriteItems = AWSOperation("TransactWriteItems", .conditional)  // ClientRequestToken dedups for 10 min

    /// The billing mode of every table Pismo creates: on demand, no capacity to plan or to run out of.
    public static let onDemand = "PAY_PER_REQUEST"

    /// On-demand table (`onDemand`) with the given key, optionally with a stream.
    public func createTable(name: String, key: [DynamoDBKeyElement],
                            stream: DynamoDBStreamViewType? = nil) async throws -> DynamoDBTableDescription {
        let r = try await transport.call(Self.createTable) { w in
            w.key("TableName"); w.string(name)
            w.key("KeySchema"); w.beginArray()
            for k in key {
                w.beginObject(); w.key("AttributeName"); w.string(k.name); w.key("KeyType"); w.string(k.keyType.rawValue); w.endObject()
            }
            w.endArray()
            w.key("AttributeDefinitions"); w.beginArray()
            for k in key {
                w.beginObject(); w.key("AttributeName"); w.string(k.name)
                w.key("AttributeType"); w.string(k.attributeType.rawValue); w.endObject()
            }
            w.endArray()
            w.key("BillingMode"); w.string(Self.onDemand)
            if let stream { Self.writeStreamSpecification(stream, into: &w) }
        }
        return DynamoDBTableDescription(json: r["TableDescription"] ?? r)
    }

    public func describeTable(name: String) async throws -> DynamoDBTableDescription {
        let r = try await transport.call(Self.describeTable) { w in w.key("TableName"); w.string(name) }
        return DynamoDBTableDescription(json: r["Table"] ?? r)
    }

    /// Enables (view type) or disables (nil) the stream.
    public func updateTable(name: String, stream: DynamoDBStreamViewType?) async throws -> DynamoDBTableDescription {
        let r = try await transport.call(Self.updateTable) { w in
            w.key("TableName"); w.string(name)
            if let stream {
                Self.writeStreamSpecification(stream, into: &w)
            } else {
                w.key("StreamSpecification"); w.beginObject(); w.key("StreamEnabled"); w.bool(false); w.endObject()
            }
        }
        return DynamoDBTableDescription(json: r["TableDescription"] ?? r)
    }

    public func deleteTable(name: String) async throws {
        _ = try await transport.call(Self.deleteTable) { w in w.key("TableName"); w.string(name) }
    }

    static func writeStreamSpecification(_ view: DynamoDBStreamViewType, into w: inout JSONWriter) {
        w.key("StreamSpecification"); w.beginObject()
        w.key("StreamEnabled"); w.bool(true)
        w.key("StreamViewType"); w.string(view.rawValue)
        w.endObject()
    }

    /// Returns `Attributes` when `returnValues` asks for them. A false condition throws an `AWSError`
    /// with `isConditionalCheckFailed`.
    @discardableResult
    public func putItem(table: String, item: DynamoDBItem, expressions: DynamoDBExpressions = DynamoDBExpressions(),
                        returnValues: DynamoDBReturnValues = .none) async throws -> DynamoDBItem? {
        let body = Self.putItemBody(table: table, item: item, expressions: expressions, returnValues: returnValues)
        let response = try await transport.send(Self.putItem, body: body)
        return DynamoDBValue.readItem(try response.document(service: "dynamodb", operation: "PutItem").root["Attributes"])
    }

    /// PutItem whose `Item` object `writeItem` writes straight from the caller's own type (no
    /// `DynamoDBItem` in between: the processor's hot path). Returns nothing (ReturnValues NONE).
    public func putItem(table: String, expressions: DynamoDBExpressions, capacity: Int,
                        writingItem writeItem: (inout JSONWriter) -> Void) async throws {
        var w = JSONWriter(capacity: capacity)
        w.beginObject()
        w.key("TableName"); w.string(table)
        w.key("Item"); writeItem(&w)
        expressions.write(into: &w)
        w.endObject()
        let response = try await transport.send(Self.putItem, body: w.bytes)
        _ = try response.document(service: "dynamodb", operation: "PutItem")  // a 2xx must still be JSON
    }

    /// The PutItem request body, streamed straight from the item (exposed for benchmarks and batching).
    public static func putItemBody(table: String, item: DynamoDBItem, expressions: DynamoDBExpressions = DynamoDBExpressions(),
                                   returnValues: DynamoDBReturnValues = .none) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("TableName"); w.string(table)
        w.key("Item"); DynamoDBValue.writeItem(item, into: &w)
        expressions.write(into: &w)
        if returnValues != .none { w.key("ReturnValues"); w.string(returnValues.rawValue) }
        w.endObject()
        return w.bytes
    }

    public func getItem(table: String, key: DynamoDBItem, consistentRead: Bool = false,
                        expressions: DynamoDBExpressions = DynamoDBExpressions()) async throws -> DynamoDBItem? {
        let r = try await transport.call(Self.getItem) { w in
            w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w)
            if consistentRead { w.key("ConsistentRead"); w.bool(true) }
            expressions.write(into: &w)
        }
        return DynamoDBValue.readItem(r["Item"])
    }

    @discardableResult
    public func updateItem(table: String, key: DynamoDBItem, expressions: DynamoDBExpressions,
                           returnValues: DynamoDBReturnValues = .none) async throws -> DynamoDBItem? {
        let r = try await transport.call(Self.updateItem) { w in
            w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w)
            expressions.write(into: &w)
            if returnValues != .none { w.key("ReturnValues"); w.string(returnValues.rawValue) }
        }
        return DynamoDBValue.readItem(r["Attributes"])
    }

    @discardableResult
    public func deleteItem(table: String, key: DynamoDBItem, expressions: DynamoDBExpressions = DynamoDBExpressions(),
                           returnValues: DynamoDBReturnValues = .none) async throws -> DynamoDBItem? {
        let r = try await transport.call(Self.deleteItem) { w in
            w.key("TableName"); w.string(table)
            w.key("Key"); DynamoDBValue.writeItem(key, into: &w)
            expressions.write(into: &w)
            if returnValues != .none { w.key("ReturnValues"); w.string(returnValues.rawValue) }
        }
        return DynamoDBValue.readItem(r["Attributes"])
    }
}
