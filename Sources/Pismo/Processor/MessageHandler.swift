import Foundation
import Logging

/// Takes one SQS message from "received" to a final disposition — the processor's state machine:
///
///     received ─ validate ─┬─ invalid ───────────────────────────────────────────> dead-letter
///                          └─ valid ─ keys and item within DynamoDB's limits? ─┬─ no ─> dead-letter (too-large)
///                                                                              └─ yes ─> PutItem if absent
///     PutItem if absent ─┬─ stored, or already stored with the same payload ─> delete
///                        ├─ key taken by another payload ─────────────────────> dead-letter (conflict)
///                        ├─ permanent AWS error ──────────────────────────────> dead-letter (store-refused)
///                        └─ any other error ─> backoff, keep invisible, warn (rate-limited), count, retry
///     dead-letter = events-dlq (byte-identical body, pismo-error) ─┬─ sent ─> delete
///                     refused for good ─> shorten pismo-error, send ─┤
///                     refused again ─> abandon: neither delete nor extend; the queue's redrive policy
///                                      moves the untouched message to events-dlq
///
/// Invariants: a valid event is never dead-lettered because of an outage — storage is retried for as
/// long as it takes, extending the message's visibility so it is not redelivered meanwhile; an error
/// AWS will return every time (`AWSError.isPermanent`) never loops; a message is deleted only after
/// its outcome is durable (stored, or published to the DLQ).
/// The caller deletes the message when `handle` returns a stored, duplicate or invalid disposition,
/// and leaves it alone when it is abandoned; a thrown CancellationError means "unresolved" and the
/// caller must release the message (visibility 0).
public final class MessageHandler: Sendable {
    public enum Disposition: Sendable, Equatable {
        case stored(EventItem)
        case duplicate
        case invalid(reason: DeadLetterReason)
        /// events-dlq refused the dead letter for good: the message must be neither deleted nor kept
        /// invisible, so that the queue's redrive policy moves it (without `pismo-error`).
        case abandoned(reason: DeadLetterReason)
    }

    private let validator: any EventValidating
    private let store: any EventStore
    private let invalidEvents: any InvalidEventPublisher
    private let queue: any EventQueue
    private let retry: Backoff
    let visibilityTimeoutSeconds: Int
    /// The events queue's visibility timeout, which `pismo init` (and the CloudFormation template) set
    /// on the queue: a received message stays hidden this long, and the heartbeat extends it by as much.
    public static let defaultVisibilityTimeoutSeconds = 30
    /// How often visibility is extended while a message is unresolved (also read by the batch heartbeat).
    let heartbeat: Duration
    private let directDispatch: Bool
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    private let failures: ProcessorFailureMetrics
    /// The least time between two warnings about one message's retried operation.
    private let warningInterval: Duration
    private let logger: Logger

    public init(validator: any EventValidating, store: any EventStore, invalidEvents: any InvalidEventPublisher,
                queue: any EventQueue, retry: Backoff = Backoff(base: .milliseconds(100), cap: .seconds(20)),
                visibilityTimeoutSeconds: Int = defaultVisibilityTimeoutSeconds, heartbeat: Duration? = nil, directDispatch: Bool = false,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() },
                failures: ProcessorFailureMetrics = ProcessorFailureMetrics(registry: MetricsRegistry()),
                warningInterval: Duration = .seconds(30), logger: Logger = Logger(label: "pismo.processor")) {
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
        self.failures = failures
        self.warningInterval = warningInterval
        self.logger = logger
    }

    public func handle(_ message: QueueMessage) async throws -> Disposition {
        switch validator.validateEvent(message.body) {
        case let .failure(reason):
            return try await deadLetter(message, reason)
        case let .success(event):
            let item = makeItem(event, message)
            if let violation = EventsTable.limitViolation(item) {
                return try await deadLetter(message, DeadLetterReason(.tooLarge, violation))
            }
            let outcome: StoreOutcome
            do {
                outcome = try await untilDone(message, operation: "PutItem") { try await self.store.putIfAbsent(item) }
            } catch let error as AWSError where error.isPermanent {
                return try await deadLetter(message, DeadLetterReason(.storeRefused, "\(error.code): \(error.message)"))
            }
            switch outcome {
            case .stored: return .stored(item)
            case .alreadyStored: return .duplicate
            case let .conflict(storedDigest):
                return try await deadLetter(message, Self.conflictReason(item, storedDigest: storedDigest))
            }
        }
    }

    static func conflictReason(_ item: EventItem, storedDigest: String?) -> DeadLetterReason {
        let new = item.payloadSHA256.prefix(12)
        let stored = storedDigest.map { "sha256 \($0.prefix(12))…" } ?? "a stored row without payload_sha256"
        return DeadLetterReason(.conflict, "client \(item.clientID), event key \(item.eventKey) is already stored with a different "
                                + "payload (stored: \(stored); this one: sha256 \(new)…)")
    }

    /// Publishes to events-dlq. A permanent refusal (the reason made the message too long, or holds a
    /// character SQS refuses) is tried once more with the reason fitted; a second refusal abandons the
    /// message to the queue's redrive policy rather than loop.
    private func deadLetter(_ message: QueueMessage, _ reason: DeadLetterReason) async throws -> Disposition {
        do {
            try await publish(message, reason)
            return .invalid(reason: reason)
        } catch let first as AWSError where first.isPermanent {
            let fitted = reason.fitted(besideBodyOf: message.body.count)
            do {
                try await publish(message, fitted)
                return .invalid(reason: fitted)
            } catch let second as AWSError where second.isPermanent {
                failures.deadLetterRefused.increment()
                logger.error("events-dlq refused the dead letter; the message is left to the queue's redrive policy", metadata: [
                    "message_id": "\(message.messageID)", "code": "\(second.code)", "error": "\(second.message)",
                    "pismo_error": "\(fitted.description.prefix(200))",
                ])
                return .abandoned(reason: reason)
            }
        }
    }

    private func publish(_ message: QueueMessage, _ reason: DeadLetterReason) async throws {
        try await untilDone(message, operation: "SendMessage events-dlq") {
            try await self.invalidEvents.publish(body: message.body, reason: reason)
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
    /// A permanent AWS error is rethrown at once: the same request would fail forever. Every other
    /// failure is counted by code and warned about (rate-limited), so a retry that persists is seen.
    private func untilDone<T: Sendable>(_ message: QueueMessage, operation name: String,
                                        _ operation: @Sendable () async throws -> T) async throws -> T {
        var lastExtension = ContinuousClock.now
        let failures = self.failures
        var visibility = RetryVisibility(warning: "AWS call failed; retrying",
                                         context: ["operation": "\(name)", "message_id": "\(message.messageID)"],
                                         interval: warningInterval, logger: logger) { _, code in
            failures.retried(operation: name, code: code)
        }
        let sleep = self.sleep
        return try await retryUntilDone(backoff: retry, sleep: { try await sleep($0) }, onFailure: { error, count in
            if let error = error as? AWSError, error.isPermanent { throw error }
            visibility.failed(error, failures: count)
            // Extends before the wait that follows, so the message stays invisible through it.
            if ContinuousClock.now - lastExtension >= heartbeat {
                try? await queue.changeVisibility(message.receiptHandle, seconds: visibilityTimeoutSeconds)
                lastExtension = .now
            }
        }, operation)
    }
}
