import Foundation
import Testing
@testable import Pismo

/// Messages that fail the same way every time: each ends in events-dlq with its reason (or, as a last
/// resort, is left to the queue's redrive policy); none loops. Errors that may pass are retried, visibly.
@Suite(.timeLimit(.minutes(1))) struct MessageHandlerPoisonTests {
    func handler(store: MemoryStore = MemoryStore(), dlq: MemoryDLQ = MemoryDLQ(), queue: MemoryQueue = MemoryQueue(),
                 registry: MetricsRegistry = MetricsRegistry(), logs: CapturedLogs = CapturedLogs(),
                 warningInterval: Duration = .seconds(30)) -> MessageHandler {
        MessageHandler(validator: StubValidator(), store: store, invalidEvents: dlq, queue: queue, sleep: { _ in },
                       now: { Date(timeIntervalSince1970: 1_700_000_000) },
                       failures: ProcessorFailureMetrics(registry: registry), warningInterval: warningInterval, logger: logs.logger)
    }

    func message(_ body: String, id: String = "m-1") -> QueueMessage {
        QueueMessage(messageID: id, receiptHandle: "rh-\(id)", body: Array(body.utf8))
    }

    static let tooLong = AWSError(service: "sqs", operation: "SendMessage", status: 400, code: "InvalidParameterValue",
                                  message: "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
                                  queryCompatibleCode: "AWS.SimpleQueueService.MessageTooLong")

    @Test func aRangeKeyOverDynamoDBsLimitIsDeadLetteredTooLargeWithoutAPut() async throws {
        // The stub takes event_id from the message id: 1,100 characters make event_key > 1,024 bytes.
        let store = MemoryStore(), dlq = MemoryDLQ()
        let disposition = try await handler(store: store, dlq: dlq).handle(message(#"{"c":"acme"}"#, id: String(repeating: "7", count: 1100)))
        guard case let .invalid(reason) = disposition else { Issue.record("expected invalid, got \(disposition)"); return }
        #expect(reason.code == .tooLarge)
        #expect(reason.detail.contains("event_key") && reason.detail.contains("1024"))
        #expect(store.attempts.withLock { $0 } == 0, "never sent to DynamoDB")
        #expect(dlq.published.withLock { $0.count } == 1)
    }

    @Test func aHashKeyOverDynamoDBsLimitIsDeadLetteredTooLarge() async throws {
        let store = MemoryStore(), dlq = MemoryDLQ()
        let body = #"{"c":""# + String(repeating: "c", count: 2049) + #""}"#
        guard case let .invalid(reason) = try await handler(store: store, dlq: dlq).handle(message(body)) else {
            Issue.record("expected invalid"); return
        }
        #expect(reason.code == .tooLarge)
        #expect(reason.detail.contains("client_id") && reason.detail.contains("2048"))
        #expect(store.attempts.withLock { $0 } == 0)
    }

    @Test func theItemSizeCountsThePayloadHashAttribute() {
        let item = EventItem(clientID: "c", eventKey: "k", eventID: "i", eventType: "t", eventTime: "e", payload: Array("{}".utf8), receivedAt: "r")
        let row = EventsTable.initialRow(item)
        #expect(row[EventsTable.payloadSHA256]?.string == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(EventsTable.itemSize(item) == row.dynamoDBSize)
        #expect(EventsTable.limitViolation(item) == nil)
    }

    @Test func aPermanentPutItemErrorIsDeadLetteredOnceWithTheAWSCodeAndMessage() async throws {
        let store = MemoryStore(failures: .max, failure: .validation("dynamodb", "PutItem", "Item size has exceeded the maximum allowed size"))
        let dlq = MemoryDLQ()
        guard case let .invalid(reason) = try await handler(store: store, dlq: dlq).handle(message(#"{"c":"acme"}"#)) else {
            Issue.record("expected invalid"); return
        }
        #expect(reason.code == .storeRefused)
        #expect(reason.detail == "ValidationException: Item size has exceeded the maximum allowed size")
        #expect(store.attempts.withLock { $0 } == 1, "a permanent error is never retried")
        #expect(dlq.published.withLock { $0.map(\.reason) } == [reason.description])
    }

    @Test func aRetryableErrorIsRetriedWarnedAboutAtABoundedRateAndCountedByCode() async throws {
        let throttled = AWSError(service: "dynamodb", operation: "PutItem", status: 400, code: "ProvisionedThroughputExceededException",
                                 message: "The level of configured provisioned throughput for the table was exceeded.")
        let store = MemoryStore(failures: 6, failure: throttled), registry = MetricsRegistry(), logs = CapturedLogs()
        let disposition = try await handler(store: store, registry: registry, logs: logs).handle(message(#"{"c":"acme"}"#))
        guard case .stored = disposition else { Issue.record("expected stored, got \(disposition)"); return }
        #expect(store.attempts.withLock { $0 } == 7)
        let warnings = logs.at(.warning)
        #expect(warnings.count == 1, "the first failure is logged, the next five fall inside the 30 s interval")
        #expect(warnings.first?.metadata["code"] == "ProvisionedThroughputExceededException")
        #expect(warnings.first?.metadata["error"] == throttled.message)
        #expect(warnings.first?.metadata["operation"] == "PutItem")
        #expect(registry.render().contains(
            #"pismo_processor_retried_errors_total{operation="PutItem",code="ProvisionedThroughputExceededException"} 6"# + "\n")
            || registry.render().contains(
            #"pismo_processor_retried_errors_total{code="ProvisionedThroughputExceededException",operation="PutItem"} 6"# + "\n"),
            "\(registry.render())")
    }

    @Test func warningsRepeatOnceTheirIntervalHasPassed() async throws {
        let store = MemoryStore(failures: 3), logs = CapturedLogs()
        _ = try await handler(store: store, logs: logs, warningInterval: .zero).handle(message(#"{"c":"acme"}"#))
        #expect(logs.at(.warning).map { $0.metadata["failures"] } == ["1", "2", "3"])
        #expect(logs.at(.warning).allSatisfy { $0.metadata["code"] == AWSError.connectionError })
    }

    @Test func aDeadLetterRefusedForGoodIsSentAgainWithAShortenedReason() async throws {
        let dlq = MemoryDLQ(refusals: 1, refusal: Self.tooLong)
        let body = "x" + String(repeating: "y", count: 262_000)
        let longReason = DeadLetterReason(.json, "not JSON near " + String(repeating: "y", count: 5_000) + "\u{1}")
        // The stub validator's own reason is short: feed a long one through a validator that quotes the input.
        let h = MessageHandler(validator: QuotingValidator(reason: longReason), store: MemoryStore(), invalidEvents: dlq, queue: MemoryQueue(), sleep: { _ in })
        guard case let .invalid(reason) = try await h.handle(message(body)) else { Issue.record("expected invalid"); return }
        #expect(reason.code == .json)
        #expect(reason.description.utf8.count + body.utf8.count + 17 <= SQSMessageLimits.maxMessageBytes)
        #expect(reason.detail.hasPrefix("not JSON near yyy") && reason.detail.hasSuffix("…"))
        #expect(!reason.detail.contains("\u{1}"))
        #expect(dlq.tried.withLock { $0.count } == 2)
        #expect(dlq.published.withLock { $0.map(\.reason) } == [reason.description])
    }

    @Test func aReasonWithCharactersSQSRefusesIsSanitisedWhenFitted() {
        let fitted = DeadLetterReason(.schema, "bad \u{0}\u{8} value \u{FFFE}").fitted(besideBodyOf: 10)
        #expect(fitted.detail == "bad \u{FFFD}\u{FFFD} value \u{FFFD}")
    }

    @Test func aDeadLetterRefusedTwiceIsAbandonedToTheRedrivePolicyAndCounted() async throws {
        let dlq = MemoryDLQ(refusals: .max, refusal: Self.tooLong), registry = MetricsRegistry(), logs = CapturedLogs()
        let disposition = try await handler(dlq: dlq, registry: registry, logs: logs).handle(message("not json"))
        guard case let .abandoned(reason) = disposition else { Issue.record("expected abandoned, got \(disposition)"); return }
        #expect(reason.code == .json)
        #expect(dlq.tried.withLock { $0.count } == 2, "the original, then the fitted reason; never a loop")
        #expect(registry.render().contains("pismo_events_dlq_refused_total 1\n"))
        #expect(logs.at(.error).count == 1)
    }

    @Test func aSamePayloadUnderATakenKeyIsADuplicateADifferentOneAConflict() async throws {
        let store = MemoryStore(), dlq = MemoryDLQ()
        let h = handler(store: store, dlq: dlq)
        let original = #"{"c":"acme","amount":1}"#
        guard case .stored = try await h.handle(message(original, id: "same")) else { Issue.record("expected stored"); return }
        #expect(try await h.handle(message(original, id: "same")) == .duplicate)
        let other = #"{"c":"acme","amount":2}"#
        guard case let .invalid(reason) = try await h.handle(message(other, id: "same")) else { Issue.record("expected conflict"); return }
        #expect(reason.code == .conflict)
        #expect(reason.detail.contains("2026-01-01T00:00:00Z#same") && reason.detail.contains("different payload"))
        #expect(reason.detail.contains(String(EventsTable.payloadDigest(Array(original.utf8)).prefix(12))))
        #expect(reason.detail.contains(String(EventsTable.payloadDigest(Array(other.utf8)).prefix(12))))
        #expect(dlq.published.withLock { $0.map(\.body) } == [Array(other.utf8)], "the newcomer is dead-lettered byte-identical")
        #expect(store.items.withLock { $0.values.map(\.payload) } == [Array(original.utf8)], "the stored event is untouched")
    }

    @Test func rowsWithoutAPayloadHashAreComparedByTheirPayload() {
        let payload = Array(#"{"a":1}"#.utf8)
        let digest = EventsTable.payloadDigest(payload)
        let legacy: DynamoDBItem = [EventsTable.payload: .s(#"{"a":1}"#)]
        #expect(EventsTable.storedPayloadMatches(legacy, payload, digest: digest))
        #expect(!EventsTable.storedPayloadMatches(legacy, Array(#"{"a":2}"#.utf8), digest: EventsTable.payloadDigest(Array(#"{"a":2}"#.utf8))))
        #expect(EventsTable.storedPayloadMatches([EventsTable.payloadSHA256: .s(digest)], payload, digest: digest))
        #expect(!EventsTable.storedPayloadMatches([EventsTable.payloadSHA256: .s(digest)], payload, digest: "0"))
    }
}

/// Rejects everything with a fixed reason (one that may be as long as the test needs).
struct QuotingValidator: EventValidating {
    let reason: DeadLetterReason
    func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, DeadLetterReason> { .failure(reason) }
}
