/// A follow-up attempt waiting in the retry queue. A reference, never a copy: the payload is read
/// back from the Events table when the attempt is due, so what goes out is byte-identical to what
/// was stored, whatever the queue's size limits.
public struct PendingRetry: Sendable, Equatable {
    public var clientID: String
    /// The Events table's `event_key` (with `clientID`, the item's key).
    public var eventKey: String
    public var eventID: String
    /// The endpoint within the client's route ("default" for the single-URL route), or
    /// `allEndpoints`: a fresh delivery to every endpoint whose filter takes the event (a replay).
    public var endpointID: String
    /// `*`, which no endpoint id can be (`EndpointRules.checkID`).
    public static let allEndpoints = "*"

    /// The job's endpoint for the engine: nil for `allEndpoints`.
    public var jobEndpointID: String? { endpointID == Self.allEndpoints ? nil : endpointID }
    /// The number of the attempt to make (2 for the first retry).
    public var attempt: Int
    /// When attempt 1 was made, unix milliseconds (the whole schedule is measured from it).
    public var firstAttemptAtMillis: Int64
    /// When the attempt is due, unix milliseconds.
    public var dueAtMillis: Int64
    /// The last HTTP status received, if any (for the dead letter, should this be the last).
    public var lastStatus: Int?
    /// Times the event was parked without an attempt (lane full, circuit open): they back it off
    /// along the schedule like failures would, so a long outage costs few requests.
    public var deferrals: Int

    public init(clientID: String, eventKey: String, eventID: String, endpointID: String = "default", attempt: Int,
                firstAttemptAtMillis: Int64, dueAtMillis: Int64, lastStatus: Int? = nil, deferrals: Int = 0) {
        self.deferrals = deferrals
        self.clientID = clientID
        self.eventKey = eventKey
        self.eventID = eventID
        self.endpointID = endpointID
        self.attempt = attempt
        self.firstAttemptAtMillis = firstAttemptAtMillis
        self.dueAtMillis = dueAtMillis
        self.lastStatus = lastStatus
    }
}

/// Where the engine puts follow-up attempts (the `deliver-retry` SQS queue in production). Throwing
/// means "not stored": the engine retries, because a record is resolved only once its follow-up is durable.
public protocol RetryScheduler: Sendable {
    /// Stores `retry`, to be handed out no earlier than `delay` from now (the queue may hand it out
    /// earlier when the delay is longer than it can hold; the worker re-hides it until `dueAtMillis`).
    func schedule(_ retry: PendingRetry, delay: Duration) async throws
}
