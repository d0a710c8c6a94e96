/// The retry worker's view of the retry queue and of the Events table. Production adapters sit on
/// SQS and DynamoDB (`Storage/`); tests use in-memory fakes.

/// One message received from the retry queue.
public struct RetryMessage: Sendable, Equatable {
    public var receiptHandle: String
    public var body: String
    /// How often SQS has handed this message out (each re-hide of a long delay counts one).
    public var receiveCount: Int

    public init(receiptHandle: String, body: String, receiveCount: Int) {
        self.receiptHandle = receiptHandle
        self.body = body
        self.receiveCount = receiveCount
    }
}

public protocol RetryQueue: Sendable {
    /// A long poll; the messages stay invisible to others for `visibilitySeconds`.
    func receive(maxMessages: Int, waitSeconds: Int, visibilitySeconds: Int) async throws -> [RetryMessage]
    /// Keeps a message invisible for `seconds` more (a delay longer than the queue's own 15 minutes).
    func hide(_ receiptHandle: String, seconds: Int) async throws
    func delete(_ receiptHandle: String) async throws
}

/// Reads a stored event back for a retry: the payload byte-identical, as the stream delivered it.
public protocol StoredEvents: Sendable {
    /// nil when no such item exists.
    func storedEvent(clientID: String, eventKey: String) async throws -> DeliveryJob?
}
