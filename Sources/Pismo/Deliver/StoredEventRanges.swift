/// A read of the Events table by when events were received: what a trimmed stream lost, or what an
/// operator asks to resend. The production adapter is a Query (one client) or a parallel Scan
/// (`Storage/DynamoDBEventStore+Ranges.swift`); tests hold the rows in memory.

/// Which stored events: `received_at` in [`fromMillis`, `untilMillis`), optionally of one client
/// and one event type.
public struct StoredEventRange: Sendable, Equatable {
    public var fromMillis: Int64
    /// nil: up to whatever is stored when the read gets there.
    public var untilMillis: Int64?
    public var clientID: String?
    public var eventType: String?

    public init(fromMillis: Int64, untilMillis: Int64? = nil, clientID: String? = nil, eventType: String? = nil) {
        self.fromMillis = fromMillis
        self.untilMillis = untilMillis
        self.clientID = clientID
        self.eventType = eventType
    }
}

public protocol StoredEventRanges: Sendable {
    /// How many parts `references` can be read in at once (1 when the range names a client: one Query).
    func segments(for range: StoredEventRange, wanted: Int) -> Int
    /// Hands part `segment` of `segments` of the range to `page`, a page at a time, in no particular
    /// order. Memory stays at one page whatever the range's size.
    func references(_ range: StoredEventRange, segment: Int, of segments: Int,
                    page: ([StoredEventReference]) async throws -> Void) async throws
}
