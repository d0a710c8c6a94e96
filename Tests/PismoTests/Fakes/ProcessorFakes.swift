import Transport
import Foundation
@testable import Pismo

struct Outage: Error {}

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

final class MemoryStore: EventStore {
    let items = Locked<[String: EventItem]>([:])
    let failuresLeft: Locked<Int>
    init(failures: Int = 0) { failuresLeft = Locked(failures) }

    func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
        if failuresLeft.withLock({ n in defer { n -= 1 }; return n > 0 }) { throw Outage() }
        return items.withLock { items in
            let key = item.clientID + "|" + item.eventKey
            if items[key] != nil { return .alreadyStored }
            items[key] = item
            return .stored
        }
    }
}

final class MemoryDLQ: InvalidEventPublisher {
    let published = Locked<[(body: [UInt8], reason: String)]>([])
    func publish(body: [UInt8], reason: DeadLetterReason) async throws { published.withLock { $0.append((body, reason.description)) } }
}

final class MemoryQueue: EventQueue {
    let pending = Locked<[QueueMessage]>([])
    let deleted = Locked<[String]>([])
    let visibilityChanges = Locked<[(String, Int)]>([])

    init(_ messages: [QueueMessage] = []) { pending.withLock { $0 = messages } }

    /// An empty queue "long polls" briefly, like SQS, instead of returning at once.
    func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueueMessage] {
        let batch = pending.withLock { p in
            let batch = Array(p.prefix(maxMessages))
            p.removeFirst(batch.count)
            return batch
        }
        if batch.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
        return batch
    }
    func delete(_ receiptHandles: [String]) async throws -> [String] {
        deleted.withLock { $0.append(contentsOf: receiptHandles) }
        return []
    }
    func changeVisibility(_ receiptHandle: String, seconds: Int) async throws {
        visibilityChanges.withLock { $0.append((receiptHandle, seconds)) }
    }
}
