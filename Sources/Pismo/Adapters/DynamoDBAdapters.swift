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
        var attributes: DynamoDBItem = [
            EventAttribute.clientID: .s(item.clientID), EventAttribute.eventKey: .s(item.eventKey),
            EventAttribute.eventID: .s(item.eventID), EventAttribute.eventType: .s(item.eventType),
            EventAttribute.eventTime: .s(item.eventTime),
            EventAttribute.payload: .s(String(decoding: item.payload, as: UTF8.self)),
            EventAttribute.receivedAt: .s(item.receivedAt),
        ]
        if item.directDispatch { attributes[EventAttribute.dispatch] = .s("direct") }
        do {
            _ = try await dynamo.putItem(table: table, item: attributes,
                                         expressions: DynamoDBExpressions(condition: "attribute_not_exists(client_id)"))
            return .stored
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            return .alreadyStored
        }
    }

    /// Records the direct attempt's outcome; the MODIFY record it produces tells the stream path.
    public func markDispatch(_ item: EventItem, delivered: Bool) async throws {
        _ = try await dynamo.updateItem(
            table: table, key: [EventAttribute.clientID: .s(item.clientID), EventAttribute.eventKey: .s(item.eventKey)],
            expressions: DynamoDBExpressions(update: "SET #d = :d", names: ["#d": EventAttribute.dispatch],
                                             values: [":d": .s(delivered ? "delivered" : "stream")]))
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
