/// A stored event: what the processor writes to the Events table and what delivery reads back.
/// Its row layout lives in `EventsTable`.
public struct EventItem: Sendable, Equatable {
    public var clientID: String
    public var eventKey: String      // "<event_time>#<event_id>"
    public var eventID: String
    public var eventType: String
    public var eventTime: String
    /// The exact message body. Fixed once made, so that `payloadSHA256` always describes it.
    public let payload: [UInt8]
    /// SHA-256 of `payload`, lower-case hex (`payload_sha256`): computed once per event, then used by
    /// the size check, the row and a conflict's comparison.
    public let payloadSHA256: String
    public var receivedAt: String    // RFC 3339, UTC
    /// Set when the processor will attempt direct dispatch, so the stream path knows to wait for
    /// the outcome instead of delivering a second time.
    public var directDispatch: Bool

    public init(clientID: String, eventKey: String, eventID: String, eventType: String, eventTime: String,
                payload: [UInt8], receivedAt: String, directDispatch: Bool = false) {
        self.clientID = clientID
        self.eventKey = eventKey
        self.eventID = eventID
        self.eventType = eventType
        self.eventTime = eventTime
        self.payload = payload
        self.payloadSHA256 = Hex.encode(Digests.sha256(payload))
        self.receivedAt = receivedAt
        self.directDispatch = directDispatch
    }
}


/// What validation extracts from a valid event (the envelope fields the table needs).
public struct ValidEvent: Sendable, Equatable {
    public var clientID: String
    public var eventType: String
    public var eventTime: String
    /// nil when the producer sent none: the SQS MessageId is used instead.
    public var eventID: String?

    public init(clientID: String, eventType: String, eventTime: String, eventID: String?) {
        self.clientID = clientID
        self.eventType = eventType
        self.eventTime = eventTime
        self.eventID = eventID
    }
}
