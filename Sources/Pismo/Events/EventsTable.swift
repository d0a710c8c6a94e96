/// The Events table's layout — the one owner of its attribute names, its keys, the `dispatch` values
/// and DynamoDB's size accounting for its rows. The names are part of the operator contract.
public enum EventsTable {
    public static let clientID = "client_id", eventKey = "event_key", eventID = "event_id", eventType = "event_type"
    public static let eventTime = "event_time", payload = "payload", receivedAt = "received_at"
    /// Direct-dispatch state; absent on events the stream path delivers on its own.
    public static let dispatch = "dispatch"

    /// The key schema `pismo init` creates: `client_id` (HASH) + `event_key` (RANGE, `<event_time>#<event_id>`).
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s), .init(eventKey, .range, .s)]

    /// DynamoDB's item size limit (400 KB, names and values counted).
    public static let maxItemBytes = 400 * 1024

    public enum Dispatch: String, Sendable {
        /// The processor is attempting direct dispatch: the stream path waits for its outcome.
        case direct
        /// The direct attempt delivered the event: the stream path resolves it without delivering.
        case delivered
        /// The direct attempt did not deliver (or never ran): the stream path delivers it.
        case stream
    }

    /// The row for `item`. `dispatch` nil leaves the attribute out.
    public static func row(_ item: EventItem, dispatch: Dispatch?) -> DynamoDBItem {
        var row: DynamoDBItem = [
            clientID: .s(item.clientID), eventKey: .s(item.eventKey), eventID: .s(item.eventID),
            eventType: .s(item.eventType), eventTime: .s(item.eventTime),
            payload: .s(String(decoding: item.payload, as: UTF8.self)), receivedAt: .s(item.receivedAt),
        ]
        if let dispatch { row[Self.dispatch] = .s(dispatch.rawValue) }
        return row
    }

    /// The row the processor first writes: `dispatch` = direct when it will attempt direct dispatch.
    public static func initialRow(_ item: EventItem) -> DynamoDBItem {
        row(item, dispatch: item.directDispatch ? .direct : nil)
    }

    /// The size DynamoDB counts for the row the processor writes, computed from that very row so that
    /// a new column can never slip past the 400 KB guard.
    public static func itemSize(_ item: EventItem) -> Int { initialRow(item).dynamoDBSize }

    /// The stream path's "client|event_key" identity of a row, from a stream image or its keys.
    public static func identity(image: DynamoDBItem, keys: DynamoDBItem) -> (clientID: String, key: String) {
        let client = image[clientID]?.string ?? keys[clientID]?.string ?? ""
        return (client, client + "|" + (image[eventKey]?.string ?? keys[eventKey]?.string ?? ""))
    }
}
