/// One stored event on its way to a webhook: what the stream record (or the processor, for direct
/// dispatch) hands to the delivery engine.
public struct DeliveryJob: Sendable, Equatable {
    public var clientID: String
    public var eventID: String
    public var eventType: String
    /// The exact bytes the producer sent; they go out untouched.
    public var payload: [UInt8]
    /// The Events table's `event_key`: how a retry finds the payload again ("" when the job did not
    /// come from the table, e.g. a redriven dead letter, which is attempted once and never scheduled).
    public var eventKey: String
    /// The one endpoint this job is for (a retry, a dead letter's redrive); nil for a new event, which
    /// goes to every endpoint of its client whose filter takes its type.
    public var endpointID: String?

    public init(clientID: String, eventID: String, eventType: String, payload: [UInt8], eventKey: String = "",
                endpointID: String? = nil) {
        self.clientID = clientID
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
        self.eventKey = eventKey
        self.endpointID = endpointID
    }
}

/// What became of one job. Every case is "resolved": the stream checkpoint may move past it, because
/// what is left to do is durable elsewhere (the retry queue, the DLQ) or done.
public enum DeliveryResult: Sendable, Equatable {
    case delivered(attempts: Int)
    case deadLettered(DeadLetter)
    /// The attempt failed and attempt `attempt` waits in the retry queue.
    case retryScheduled(attempt: Int)
    /// Not attempted: the endpoint's lane was full, its circuit open or its rate limit's backlog long;
    /// it waits in the retry queue with its attempt number unchanged.
    case parked(attempt: Int)
    /// None of the client's endpoints takes the event's type: nothing to send.
    case filtered
    /// The event went to several endpoints: each one's result, by endpoint id.
    case fannedOut([String: DeliveryResult])
}

/// What goes to `deliver-dlq` (the attribute names are part of the operator contract).
public struct DeadLetter: Sendable, Equatable {
    public var reason: DeadLetterReason  // pismo-error
    public var clientID: String        // pismo-client-id
    public var eventID: String         // pismo-event-id
    public var attempts: Int           // pismo-attempts (0 when there was no route)
    public var lastStatus: Int?        // pismo-last-status, only when an HTTP status was received
    /// The stored event's key ("" when there is none): a letter too large for the queue carries a
    /// reference to the Events table item instead of the payload.
    public var eventKey: String
    public var endpointID: String?     // pismo-endpoint, when the letter is one endpoint's (not for no-route)

    public init(reason: DeadLetterReason, clientID: String, eventID: String, attempts: Int, lastStatus: Int?,
                eventKey: String = "", endpointID: String? = nil) {
        self.reason = reason
        self.clientID = clientID
        self.eventID = eventID
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.eventKey = eventKey
        self.endpointID = endpointID
    }
}

/// Looks a client's route up (DynamoDB `routes` in production). nil = no route for that client.
public protocol RouteStore: Sendable {
    func route(for clientID: String) async throws -> Route?
}

/// Records an endpoint's health on its route (the routes table in production), so every instance
/// and every restart sees the same: how long it has been failing, and whether it is disabled.
public protocol RouteHealth: Sendable {
    /// Disables the endpoint: its events are dead-lettered until an operator enables it again.
    func disable(clientID: String, endpointID: String, reason: String, at: String) async throws
    /// Notes the first failure since the last success; an earlier note is kept.
    func markFailing(clientID: String, endpointID: String, sinceMillis: Int64) async throws
    /// A success: the endpoint is healthy again.
    func clearFailing(clientID: String, endpointID: String) async throws
}

/// Publishes an undeliverable event (SQS `deliver-dlq` in production). Throwing means "not stored":
/// the engine retries, because a record may only be resolved once its dead letter is durable.
public protocol DeadLetterPublisher: Sendable {
    func publish(payload: [UInt8], letter: DeadLetter) async throws
}
