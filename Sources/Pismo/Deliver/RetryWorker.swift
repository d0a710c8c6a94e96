import Foundation
import Logging
import Synchronization

/// Works the retry queue for `pismo deliver`: each message is a `PendingRetry`; when it is due, the
/// stored event is read back from the Events table and attempted once more through the engine, which
/// resolves it (delivered, dead-lettered, or the next attempt scheduled as a new message); then the
/// message is deleted. Any number of instances share the queue through SQS itself.
///
/// - Not due yet (a delay longer than SQS's 15-minute `DelaySeconds`): hidden again until it is, at
///   most 12 h at a time; each hide costs one receive, so the longest schedule step costs three.
/// - Nothing loops forever: an unreadable message and one whose event is gone are dead-lettered at
///   once; one handed out `maxReceives` times without being resolved (a crash loop) is dead-lettered
///   with the reason. The queue has no redrive policy of its own, so a long delay's receives can never
///   push a healthy retry into a dead-letter queue without a reason.
/// - A failure to read or delete leaves the message where it is: it comes back after its visibility
///   timeout (at least once; the same `webhook-id` lets receivers deduplicate).
public final class RetryWorker: Sendable {
    public struct Options: Sendable {
        public var pollers = 2
        public var waitTimeSeconds = 20
        /// How long a received message stays invisible while its attempt runs: an attempt may wait
        /// for a lane and then run to the delivery timeout.
        public var attemptVisibilitySeconds = 60
        public var maxReceives = 100
        /// Retries being attempted at once, across the pollers. A poller takes more messages while
        /// fewer are in flight, so a hanging endpoint's retries (each up to a delivery timeout) never
        /// hold back the retries of others.
        public var maxInFlight = 100
        public init() {}
    }

    private let queue: any RetryQueue
    private let events: any StoredEvents
    private let engine: DeliveryEngine
    private let deadLetters: any DeadLetterPublisher
    private let options: Options
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    private let inFlight = Atomic<Int>(0)

    public init(queue: any RetryQueue, events: any StoredEvents, engine: DeliveryEngine, deadLetters: any DeadLetterPublisher,
                options: Options = Options(), logger: Logger = Logger(label: "pismo.retry"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.queue = queue
        self.events = events
        self.engine = engine
        self.deadLetters = deadLetters
        self.options = options
        self.logger = logger
        self.sleep = sleep
        self.now = now
    }

    /// Polls until `shutdown`; retries being attempted finish (each attempt is bounded by the
    /// delivery timeout) before `run` returns.
    public func run(until shutdown: ShutdownSignal) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, options.pollers) {
                group.addTask { await self.poll(until: shutdown) }
            }
        }
    }

    private static let receiveBackoff = Backoff(base: .milliseconds(100), cap: .seconds(20), jittered: false)

    private func poll(until shutdown: ShutdownSignal) async {
        await withDiscardingTaskGroup { attempts in
            var failures = 0
            while !shutdown.isTriggered {
                if inFlight.load(ordering: .relaxed) >= options.maxInFlight {
                    try? await sleep(.milliseconds(20))
                    continue
                }
                let messages: [RetryMessage]
                do {
                    guard let received = try await receiveUnlessShutdown(shutdown) else { return }
                    messages = received
                    failures = 0
                } catch {
                    failures += 1
                    logger.warning("retry queue receive failed", metadata: ["error": "\(error)"])
                    try? await sleep(Self.receiveBackoff.delay(attempt: failures + 1))
                    continue
                }
                for message in messages {
                    inFlight.add(1, ordering: .relaxed)
                    attempts.addTask {
                        await self.handle(message)
                        self.inFlight.subtract(1, ordering: .relaxed)
                    }
                }
            }
        }
    }

    /// A long poll that shutdown cuts short (nil): a message it had already taken comes back after
    /// its visibility timeout, so stopping never waits out a 20 s poll.
    private func receiveUnlessShutdown(_ shutdown: ShutdownSignal) async throws -> [RetryMessage]? {
        try await withThrowingTaskGroup(of: [RetryMessage]?.self) { group in
            group.addTask {
                try await self.queue.receive(maxMessages: 10, waitSeconds: self.options.waitTimeSeconds,
                                             visibilitySeconds: self.options.attemptVisibilitySeconds)
            }
            group.addTask { await shutdown.wait(); return nil }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// Resolves one message, or leaves it in the queue to come back.
    func handle(_ message: RetryMessage) async {
        do {
            guard let retry = PendingRetry(json: message.body) else {
                try await deadLetter(message, payload: Array(message.body.utf8), clientID: "", eventID: "", attempts: 0, status: nil,
                                     DeadLetterReason(.retryUnreadable, "the retry queue held a message Pismo did not write"))
                return
            }
            // Both sides are within UTCTime's range (the message was range-checked): no overflow.
            let remaining = Duration.milliseconds(retry.dueAtMillis - nowMillis())
            if remaining >= .seconds(1) {
                try await queue.hide(message.receiptHandle, seconds: RetrySchedule.visibilityToHide(remaining: remaining))
                return
            }
            if remaining > .zero { try await sleep(remaining) }
            // Every receive after the first was a park or a long delay's hide: both count as deferrals.
            let deferrals = retry.deferrals + max(0, message.receiveCount - 1)
            if let parked = engine.openCircuitDelay(clientID: retry.clientID, endpointID: retry.endpointID, attempt: retry.attempt,
                                                    firstAttemptAtMillis: retry.firstAttemptAtMillis, deferrals: deferrals) {
                try await queue.hide(message.receiptHandle, seconds: RetrySchedule.visibilityToHide(remaining: parked))
                return
            }
            guard var job = try await events.storedEvent(clientID: retry.clientID, eventKey: retry.eventKey) else {
                try await deadLetter(message, payload: Array(message.body.utf8), clientID: retry.clientID, eventID: retry.eventID,
                                     endpointID: retry.jobEndpointID, attempts: retry.attempt - 1, status: retry.lastStatus,
                                     DeadLetterReason(.eventMissing, "event \(retry.eventKey) is no longer in the Events table"))
                return
            }
            job.endpointID = retry.jobEndpointID
            if message.receiveCount > options.maxReceives {
                try await deadLetter(message, payload: job.payload, clientID: retry.clientID, eventID: retry.eventID,
                                     eventKey: retry.eventKey, endpointID: retry.jobEndpointID, attempts: retry.attempt - 1, status: retry.lastStatus,
                                     DeadLetterReason(.attemptsExhausted, "handed out \(message.receiveCount) times without being resolved"))
                return
            }
            _ = try await engine.deliver(job, attempt: retry.attempt, firstAttemptAtMillis: retry.firstAttemptAtMillis,
                                         lastStatus: retry.lastStatus, deferrals: deferrals)
            try await queue.delete(message.receiptHandle)
        } catch is CancellationError {
            return  // shutdown: the message comes back after its visibility timeout
        } catch {
            logger.warning("retry left in the queue", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes, then deletes the message. A letter deliver-dlq refuses for what it carries (even as
    /// a reference) is logged with the message and dropped from the retry queue: kept, it would come
    /// back every visibility timeout for ever, and the event itself is still in the Events table.
    private func deadLetter(_ message: RetryMessage, payload: [UInt8], clientID: String, eventID: String, eventKey: String = "",
                            endpointID: String? = nil, attempts: Int, status: Int?, _ reason: DeadLetterReason) async throws {
        let letter = DeadLetter(reason: reason, clientID: clientID, eventID: eventID, attempts: attempts, lastStatus: status,
                                eventKey: eventKey, endpointID: endpointID)
        do {
            try await deadLetters.publish(payload: payload, letter: letter)
        } catch let error as AWSError where error.isPermanent {
            logger.error("deliver-dlq refused the dead letter; the retry message is dropped",
                         metadata: ["reason": "\(reason)", "error": "\(error)",
                                    "message": "\(SQSMessageLimits.truncated(message.body, maxBytes: 1_024))"])
        }
        try await queue.delete(message.receiptHandle)
    }

    private func nowMillis() -> Int64 { UTCTime.millisecondsSince1970(now()) }
}
