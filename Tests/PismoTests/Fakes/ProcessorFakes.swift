import Transport
import Foundation
@testable import Pismo

extension AWSError {
    /// What an adapter throws when its service cannot be reached: the AWS client's connection error,
    /// carrying the transport's own refusal. The fakes' outages throw this, as the real ports would.
    static func outage(_ service: String, _ operation: String) -> AWSError {
        AWSError(service: service, operation: operation, status: nil, code: AWSError.connectionError,
                 message: HTTPClientError.connectionRefused(host: "127.0.0.1", port: 9).description)
    }
}

/// Accepts events whose body starts with `{` and names a client as `"c":"<id>"`; enough to drive
/// the state machine without the schema module.
struct StubValidator: EventValidating {
    func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, DeadLetterReason> {
        let text = String(decoding: body, as: UTF8.self)
        guard text.hasPrefix("{") else { return .failure(DeadLetterReason(.json, "not JSON")) }
        guard let range = text.range(of: #""c":""#) else { return .failure(DeadLetterReason(.schema, "missing client_id")) }
        let client = text[range.upperBound...].prefix { $0 != "\"" }
        return .success(ValidEvent(clientID: String(client), eventType: "t", eventTime: "2026-01-01T00:00:00Z", eventID: nil))
    }
}

extension AWSError {
    /// What DynamoDB answers a request it will refuse every time (a key over its limit, say).
    static func validation(_ service: String, _ operation: String, _ message: String) -> AWSError {
        AWSError(service: service, operation: operation, status: 400, code: "ValidationException", message: message)
    }
}

/// The events table in memory: a conditional put per client and event key, a taken key compared by
/// payload as the DynamoDB adapter does. `failures` makes the first puts fail with `failure` (by
/// default as an unreachable DynamoDB would); with a `stream`, each stored item appends its INSERT
/// to it, as the table's stream does.
final class MemoryStore: EventStore {
    let items = Locked<[String: EventItem]>([:])
    let failuresLeft: Locked<Int>
    let failure: AWSError
    /// Puts tried, failed ones included.
    let attempts = Locked(0)
    let stream: MemoryStream?
    init(failures: Int = 0, failure: AWSError = .outage("dynamodb", "PutItem"), stream: MemoryStream? = nil) {
        failuresLeft = Locked(failures)
        self.failure = failure
        self.stream = stream
    }

    func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
        attempts.withLock { $0 += 1 }
        if failuresLeft.withLock({ n in defer { n -= 1 }; return n > 0 }) { throw failure }
        let outcome: StoreOutcome = items.withLock { items in
            let key = item.clientID + "|" + item.eventKey
            if let stored = items[key] {
                return stored.payload == item.payload ? .alreadyStored : .conflict(storedDigest: EventsTable.payloadDigest(stored.payload))
            }
            items[key] = item
            return .stored
        }
        if outcome == .stored { stream?.appendInsert(item) }
        return outcome
    }
}

/// events-dlq in memory. `refusals` makes the first publishes fail with `refusal`; every attempt's
/// reason is kept in `tried`.
final class MemoryDLQ: InvalidEventPublisher {
    let published = Locked<[(body: [UInt8], reason: String)]>([])
    let tried = Locked<[String]>([])
    let refusalsLeft: Locked<Int>
    let refusal: AWSError
    init(refusals: Int = 0, refusal: AWSError = .outage("sqs", "SendMessage")) {
        refusalsLeft = Locked(refusals)
        self.refusal = refusal
    }

    func publish(body: [UInt8], reason: DeadLetterReason) async throws {
        tried.withLock { $0.append(reason.description) }
        if refusalsLeft.withLock({ n in defer { n -= 1 }; return n > 0 }) { throw refusal }
        published.withLock { $0.append((body, reason.description)) }
    }
}

/// The events queue in memory. A received message is in flight until deleted; making it visible
/// again (visibility 0) redelivers it, with its receive count raised, as SQS does.
final class MemoryQueue: EventQueue {
    let pending = Locked<[QueueMessage]>([])
    let inFlight = Locked<[String: QueueMessage]>([:])
    let deleted = Locked<[String]>([])
    let visibilityChanges = Locked<[(String, Int)]>([])

    init(_ messages: [QueueMessage] = []) { pending.withLock { $0 = messages } }

    /// Enqueues a message with a fresh id (as SendMessage does).
    func send(_ body: String) {
        pending.withLock { p in
            let id = "m\(p.count)-\(UInt32.random(in: 0...UInt32.max))"
            p.append(QueueMessage(messageID: id, receiptHandle: "rh-" + id, body: Array(body.utf8)))
        }
    }

    /// Messages not yet deleted: waiting or in flight.
    var depth: Int { pending.withLock { $0.count } + inFlight.withLock { $0.count } }

    /// An empty queue "long polls" briefly, like SQS, instead of returning at once.
    func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueueMessage] {
        let batch = pending.withLock { p in
            let batch = Array(p.prefix(maxMessages))
            p.removeFirst(batch.count)
            return batch
        }
        inFlight.withLock { for message in batch { $0[message.receiptHandle] = message } }
        if batch.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
        return batch
    }
    func delete(_ receiptHandles: [String]) async throws -> [String] {
        deleted.withLock { $0.append(contentsOf: receiptHandles) }
        inFlight.withLock { for handle in receiptHandles { $0[handle] = nil } }
        return []
    }
    func changeVisibility(_ receiptHandle: String, seconds: Int) async throws {
        visibilityChanges.withLock { $0.append((receiptHandle, seconds)) }
        guard seconds == 0, var message = inFlight.withLock({ $0.removeValue(forKey: receiptHandle) }) else { return }
        message.receiveCount += 1
        pending.withLock { $0.insert(message, at: 0) }
    }
}
