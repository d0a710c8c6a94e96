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
    func publish(body: [UInt8], reason: DeadLetterReason) async throws
}

public enum StoreOutcome: Sendable, Equatable {
    case stored
    /// The conditional put found the item already there with the same payload: a redelivered
    /// message, an idempotent success.
    case alreadyStored
    /// The key is taken by a different payload (its `payload_sha256` is `storedDigest`; nil when the
    /// stored row predates the hash): another event reused `event_time` + `event_id`.
    case conflict(storedDigest: String?)
}

public protocol EventStore: Sendable {
    /// Stores `item` unless its key is taken; a taken key is compared by payload (see `StoreOutcome`).
    func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome
}

public protocol EventValidating: Sendable {
    /// `.failure(reason)` for anything that must go to `events-dlq` (not JSON, not an object,
    /// schema violation); the reason becomes the `pismo-error` attribute.
    func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, DeadLetterReason>
}

