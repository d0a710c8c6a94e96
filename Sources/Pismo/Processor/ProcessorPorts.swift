/// The processor's view of its collaborators. Production adapters sit on the SQS and DynamoDB
/// clients; tests use in-memory fakes. Keeping these narrow is what lets the message state machine
/// (`MessageHandler`) be tested for every failure without AWS.

/// One message received from the events queue.
public struct QueueMessage: Sendable, Equatable {
    public var messageID: String
    public var receiptHandle: String
    public var body: [UInt8]
    public var receiveCount: Int

    public init(messageID: String, receiptHandle: String, body: [UInt8], receiveCount: Int = 1) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.receiveCount = receiveCount
    }
}

public protocol EventQueue: Sendable {
    func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueueMessage]
    /// Deletes by receipt handle; returns the handles that could not be deleted.
    func delete(_ receiptHandles: [String]) async throws -> [String]
    func changeVisibility(_ receiptHandle: String, seconds: Int) async throws
    /// Extends several messages at once (the batch heartbeat); best effort.
    func extendVisibility(_ receiptHandles: [String], seconds: Int) async throws
}

extension EventQueue {
    /// One call per message; queues that can batch (SQS) override this.
    public func extendVisibility(_ receiptHandles: [String], seconds: Int) async throws {
        for handle in receiptHandles { try await changeVisibility(handle, seconds: seconds) }
    }
}

/// `events-dlq`: the body byte-identical, the reason in message attribute `pismo-error`.
public protocol InvalidEventPublisher: Sendable {
    func publish(body: [UInt8], reason: String) async throws
}

/// The Events table row built from a valid event.
public struct EventItem: Sendable, Equatable {
    public var clientID: String
    public var eventKey: String      // "<event_time>#<event_id>"
    public var eventID: String
    public var eventType: String
    public var eventTime: String
    public var payload: [UInt8]      // the exact message body
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
        self.receivedAt = receivedAt
        self.directDispatch = directDispatch
    }
}

public enum StoreOutcome: Sendable, Equatable {
    case stored
    /// The conditional put found the item already there: a redelivered message, an idempotent success.
    case alreadyStored
}

public protocol EventStore: Sendable {
    func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome
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

public protocol EventValidating: Sendable {
    /// `.failure(reason)` for anything that must go to `events-dlq` (not JSON, not an object,
    /// schema violation); the reason becomes the `pismo-error` attribute.
    func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, InvalidEventReason>
}

public struct InvalidEventReason: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
