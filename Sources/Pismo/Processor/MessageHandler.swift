import Foundation

/// Takes one SQS message from "received" to a final disposition — the processor's state machine:
///
///     received ─ validate ─┬─ invalid ──> events-dlq (byte-identical body, pismo-error) ─> delete
///                          └─ valid ────> PutItem if absent ─┬─ stored / already stored ─> delete
///                                                            └─ transient failure ─> backoff, keep invisible, retry
///
/// Invariants: a valid event is never dead-lettered because of an outage — storage is retried for as
/// long as it takes, extending the message's visibility so it is not redelivered meanwhile; a message
/// is deleted only after its outcome is durable (stored, or published to the DLQ).
/// The caller deletes the message (in batches) when `handle` returns; a thrown CancellationError means
/// "unresolved" and the caller must release the message (visibility 0).
public final class MessageHandler: Sendable {
    public enum Disposition: Sendable, Equatable {
        case stored(EventItem)
        case duplicate
        case invalid(reason: DeadLetterReason)
    }

    private let validator: any EventValidating
    private let store: any EventStore
    private let invalidEvents: any InvalidEventPublisher
    private let queue: any EventQueue
    private let retry: Backoff
    let visibilityTimeoutSeconds: Int
    /// How often visibility is extended while a message is unresolved (also read by the batch heartbeat).
    let heartbeat: Duration
    private let directDispatch: Bool
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date

    public init(validator: any EventValidating, store: any EventStore, invalidEvents: any InvalidEventPublisher,
                queue: any EventQueue, retry: Backoff = Backoff(base: .milliseconds(100), cap: .seconds(20)),
                visibilityTimeoutSeconds: Int = 30, heartbeat: Duration? = nil, directDispatch: Bool = false,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.validator = validator
        self.store = store
        self.invalidEvents = invalidEvents
        self.queue = queue
        self.retry = retry
        self.visibilityTimeoutSeconds = visibilityTimeoutSeconds
        // Half the timeout leaves a full half of slack for one slow AWS call between extensions.
        self.heartbeat = heartbeat ?? .seconds(max(1, visibilityTimeoutSeconds / 2))
        self.directDispatch = directDispatch
        self.sleep = sleep
        self.now = now
    }

    public func handle(_ message: QueueMessage) async throws -> Disposition {
        switch validator.validateEvent(message.body) {
        case let .failure(reason):
            try await untilDone(message) { try await self.invalidEvents.publish(body: message.body, reason: reason) }
            return .invalid(reason: reason)
        case let .success(event):
            let item = makeItem(event, message)
            let size = EventsTable.itemSize(item)
            if size > EventsTable.maxItemBytes {
                let reason = DeadLetterReason(.tooLarge, "the item would be \(size) bytes, DynamoDB's limit is \(EventsTable.maxItemBytes)")
                try await untilDone(message) { try await self.invalidEvents.publish(body: message.body, reason: reason) }
                return .invalid(reason: reason)
            }
            let outcome = try await untilDone(message) { try await self.store.putIfAbsent(item) }
            return outcome == .stored ? .stored(item) : .duplicate
        }
    }

    func makeItem(_ event: ValidEvent, _ message: QueueMessage) -> EventItem {
        let eventID = event.eventID ?? message.messageID
        return EventItem(clientID: event.clientID, eventKey: "\(event.eventTime)#\(eventID)", eventID: eventID,
                         eventType: event.eventType, eventTime: event.eventTime, payload: message.body,
                         receivedAt: UTCTime.iso8601(now()), directDispatch: directDispatch)
    }

    /// Retries `operation` with backoff until it succeeds, extending the message's visibility every
    /// half timeout so SQS neither redelivers it nor counts it towards the redrive limit meanwhile.
    private func untilDone<T: Sendable>(_ message: QueueMessage, _ operation: @Sendable () async throws -> T) async throws -> T {
        var lastExtension = ContinuousClock.now
        let sleep = self.sleep
        return try await retryUntilDone(backoff: retry, sleep: { try await sleep($0) }, onFailure: { _, _ in
            // Extends before the wait that follows, so the message stays invisible through it.
            if ContinuousClock.now - lastExtension >= heartbeat {
                try? await queue.changeVisibility(message.receiptHandle, seconds: visibilityTimeoutSeconds)
                lastExtension = .now
            }
        }, operation)
    }
}
