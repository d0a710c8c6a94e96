/// Production adapters onto DynamoDB: the Events table (conditional puts) and the routes table.

/// Attribute names of the Events table (part of the operator contract).
enum EventAttribute {
    static let clientID = "client_id", eventKey = "event_key", eventID = "event_id", eventType = "event_type"
    static let eventTime = "event_time", payload = "payload", receivedAt = "received_at"
    /// Direct-dispatch state: "direct" (attempt in progress), "delivered", "stream" (left to the stream path).
    static let dispatch = "dispatch"
}

public struct DynamoDBEventStore: EventStore {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// Conditional on absence, so a redelivered message is an idempotent success — retrying this
    /// PutItem is safe for the same reason.
    public func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
        do {
            _ = try await dynamo.putItem(table: table, item: Self.attributes(item, dispatch: item.directDispatch ? "direct" : nil),
                                         expressions: DynamoDBExpressions(condition: "attribute_not_exists(client_id)"))
            return .stored
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            return .alreadyStored
        }
    }

    /// Records direct attempts' outcomes ("delivered", or "stream": left to the stream path); the
    /// MODIFY records this produces tell the stream path. One BatchWriteItem per 25 items instead of
    /// an UpdateItem each: the item is immutable apart from `dispatch` and we hold all of it, so
    /// rewriting it whole is the same change — and moto charges per request, not per item.
    /// Returns how many outcomes could not be written (the stream path delivers those after its grace).
    @discardableResult
    public func markDispatch(_ outcomes: [(item: EventItem, delivered: Bool)]) async throws -> Int {
        var unwritten = 0
        var start = 0
        while start < outcomes.count {
            let chunk = outcomes[start..<min(start + 25, outcomes.count)]
            let puts = chunk.map { DynamoDBWriteRequest.put(Self.attributes($0.item, dispatch: $0.delivered ? "delivered" : "stream")) }
            unwritten += try await dynamo.batchWriteItem([table: puts]).values.map(\.count).reduce(0, +)
            start += 25
        }
        return unwritten
    }

    /// The Events table row (attribute names are part of the operator contract).
    static func attributes(_ item: EventItem, dispatch: String?) -> DynamoDBItem {
        var attributes: DynamoDBItem = [
            EventAttribute.clientID: .s(item.clientID), EventAttribute.eventKey: .s(item.eventKey),
            EventAttribute.eventID: .s(item.eventID), EventAttribute.eventType: .s(item.eventType),
            EventAttribute.eventTime: .s(item.eventTime),
            EventAttribute.payload: .s(String(decoding: item.payload, as: UTF8.self)),
            EventAttribute.receivedAt: .s(item.receivedAt),
        ]
        if let dispatch { attributes[EventAttribute.dispatch] = .s(dispatch) }
        return attributes
    }
}

public struct DynamoDBRouteStore: RouteStore {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func route(for clientID: String) async throws -> Route? {
        guard let item = try await dynamo.getItem(table: table, key: ["client_id": .s(clientID)]),
              let url = item["url"]?.string else { return nil }
        return Route(url: url, secret: item["secret"]?.string)
    }
}
