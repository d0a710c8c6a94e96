/// The Events table's layout — the one owner of its attribute names, its keys, the `dispatch` values
/// and DynamoDB's size accounting for its rows. The names are part of the operator contract.
public enum EventsTable {
    public static let clientID = "client_id", eventKey = "event_key", eventID = "event_id", eventType = "event_type"
    public static let eventTime = "event_time", payload = "payload", receivedAt = "received_at"
    /// Direct-dispatch state; absent on events the stream path delivers on its own.
    public static let dispatch = "dispatch"
    /// SHA-256 of `payload`, lower-case hex: a failed conditional put compares it instead of the
    /// payload itself. Absent on items written before it existed.
    public static let payloadSHA256 = "payload_sha256"

    /// The key schema `pismo init` creates: `client_id` (HASH) + `event_key` (RANGE, `<event_time>#<event_id>`).
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s), .init(eventKey, .range, .s)]

    /// DynamoDB's item size limit (400 KB, names and values counted).
    public static let maxItemBytes = 400 * 1024
    /// DynamoDB's key limits (UTF-8 bytes of a string key's value): over them PutItem fails every time.
    public static let maxHashKeyBytes = 2048, maxRangeKeyBytes = 1024

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
            payloadSHA256: .s(item.payloadSHA256),
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

    /// Why DynamoDB would refuse the row the processor writes for `item` every time — a key or the
    /// item over its limits — or nil when it fits. Checked before PutItem so such an event is
    /// dead-lettered with the reason instead of failing forever.
    public static func limitViolation(_ item: EventItem) -> String? {
        let clientBytes = item.clientID.utf8.count, keyBytes = item.eventKey.utf8.count
        if clientBytes > maxHashKeyBytes {
            return "\(clientID) is \(clientBytes) bytes, DynamoDB's hash key limit is \(maxHashKeyBytes)"
        }
        if keyBytes > maxRangeKeyBytes {
            return "\(eventKey) (<event_time>#<event_id>) is \(keyBytes) bytes, DynamoDB's range key limit is \(maxRangeKeyBytes)"
        }
        let size = itemSize(item)
        if size > maxItemBytes { return "the item would be \(size) bytes, DynamoDB's limit is \(maxItemBytes)" }
        return nil
    }

    /// The value of `payload_sha256` for `payload`.
    public static func payloadDigest(_ payload: [UInt8]) -> String { Hex.encode(Digests.sha256(payload)) }

    /// Whether the stored row holds the same payload as `payload`: by hash when the row has one,
    /// else (rows written before the hash existed) by the payload bytes themselves.
    public static func storedPayloadMatches(_ stored: DynamoDBItem, _ payload: [UInt8], digest: String) -> Bool {
        if let storedDigest = stored[payloadSHA256]?.string { return storedDigest == digest }
        return stored[Self.payload]?.string.map { Array($0.utf8) == payload } ?? false
    }

    /// The stream path's "client|event_key" identity of a row, from a stream image or its keys.
    public static func identity(image: DynamoDBItem, keys: DynamoDBItem) -> (clientID: String, key: String) {
        let client = image[clientID]?.string ?? keys[clientID]?.string ?? ""
        return (client, client + "|" + (image[eventKey]?.string ?? keys[eventKey]?.string ?? ""))
    }
}
