import PismoJSON

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
        var row = DynamoDBItem(minimumCapacity: 9)
        forEachColumn(item, dispatch: dispatch, payload: String(decoding: item.payload, as: UTF8.self)) { row[$0] = .s($1) }
        return row
    }

    /// The row the processor first writes: `dispatch` = direct when it will attempt direct dispatch.
    public static func initialRow(_ item: EventItem) -> DynamoDBItem {
        row(item, dispatch: item.directDispatch ? .direct : nil)
    }

    /// `initialRow(item)` as the `Item` of a PutItem request, written straight from the item: no
    /// dictionary of values to build, hash and free for every stored event (with the size check's
    /// second copy, ~3 % of the processor's CPU at saturation; bench/RESULTS.md, issue 17).
    public static func writeInitialRow(_ item: EventItem, into w: inout JSONWriter) {
        w.beginObject()
        forEachColumn(item, dispatch: item.directDispatch ? .direct : nil, payload: String(decoding: item.payload, as: UTF8.self)) { name, value in
            w.key(name)
            w.beginObject(); w.key("S"); w.string(value); w.endObject()  // DynamoDBValue.s's spelling
        }
        w.endObject()
    }

    /// Every attribute of a row, all strings — the one list `row`, `writeInitialRow` and `itemSize`
    /// read, so that no column can be in one and missing from another. `payload` is the payload as
    /// text (the caller decides whether it needs the repaired copy).
    private static func forEachColumn(_ item: EventItem, dispatch: Dispatch?, payload payloadText: String,
                                      _ body: (String, String) -> Void) {
        body(clientID, item.clientID)
        body(eventKey, item.eventKey)
        body(eventID, item.eventID)
        body(eventType, item.eventType)
        body(eventTime, item.eventTime)
        body(payload, payloadText)
        body(receivedAt, item.receivedAt)
        body(payloadSHA256, item.payloadSHA256)
        if let dispatch { body(Self.dispatch, dispatch.rawValue) }
    }

    /// The size DynamoDB counts for the row the processor writes, from the same column list as the
    /// row itself so that a new column can never slip past the 400 KB guard. (Names and string
    /// values in UTF-8 bytes: `DynamoDBValue.dynamoDBSize` for `.s`.)
    public static func itemSize(_ item: EventItem) -> Int {
        var size = 0
        forEachColumn(item, dispatch: item.directDispatch ? .direct : nil, payload: String(decoding: item.payload, as: UTF8.self)) {
            size += $0.utf8.count + $1.utf8.count
        }
        return size
    }

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
