import Foundation
import Testing
@testable import Pismo

/// (The redelivered-duplicate and storage-outage cases run over the fakes and moto alike:
/// `OnBothBackendsTests`.)
@Suite(.timeLimit(.minutes(1))) struct MessageHandlerTests {
    func handler(store: MemoryStore = MemoryStore(), dlq: MemoryDLQ = MemoryDLQ(), queue: MemoryQueue = MemoryQueue(),
                 visibility: Int = 30, sleep: @escaping @Sendable (Duration) async throws -> Void = { _ in }) -> MessageHandler {
        MessageHandler(validator: StubValidator(), store: store, invalidEvents: dlq, queue: queue,
                       visibilityTimeoutSeconds: visibility, sleep: sleep,
                       now: { Date(timeIntervalSince1970: 1_700_000_000) })
    }

    func message(_ body: String, id: String = "m-1") -> QueueMessage {
        QueueMessage(messageID: id, receiptHandle: "rh-\(id)", body: Array(body.utf8))
    }

    @Test func validEventIsStoredWithTheExactBodyAndMessageIdFallback() async throws {
        let store = MemoryStore()
        let body = #"{"c":"acme", "x": 1}"#
        let disposition = try await handler(store: store).handle(message(body))
        guard case let .stored(item) = disposition else { Issue.record("expected stored"); return }
        #expect(item.payload == Array(body.utf8))
        #expect(item.eventID == "m-1")
        #expect(item.eventKey == "2026-01-01T00:00:00Z#m-1")
        #expect(item.receivedAt == "2023-11-14T22:13:20.000Z")
        #expect(store.items.withLock { $0.count } == 1)
    }

    @Test func invalidEventGoesToTheDLQByteIdentical() async throws {
        let dlq = MemoryDLQ()
        let body = "not json at all \u{1}"
        #expect(try await handler(dlq: dlq).handle(message(body)) == .invalid(reason: DeadLetterReason(.json, "not JSON")))
        #expect(dlq.published.withLock { $0.map(\.body) } == [Array(body.utf8)])
        #expect(dlq.published.withLock { $0.map(\.reason) } == ["json: not JSON"])
    }

    @Test func oversizedItemIsDeadLetteredNotStored() async throws {
        let store = MemoryStore(), dlq = MemoryDLQ()
        let body = #"{"c":"acme","pad":""# + String(repeating: "x", count: 410_000) + #""}"#
        guard case let .invalid(reason) = try await handler(store: store, dlq: dlq).handle(message(body)) else {
            Issue.record("expected invalid"); return
        }
        #expect(reason.code == .tooLarge)
        #expect(store.items.withLock { $0.isEmpty })
        #expect(dlq.published.withLock { $0.count } == 1)
    }

    @Test func cancellationDuringAnOutageLeavesTheMessageUnresolved() async throws {
        let store = MemoryStore(failures: .max)
        let h = handler(store: store, sleep: { _ in try await Task.sleep(for: .seconds(60)) })
        let task = Task { try await h.handle(message(#"{"c":"acme"}"#)) }
        try await eventually("the first put has failed", within: .seconds(10)) { store.attempts.withLock { $0 } >= 1 }
        task.cancel()
        let ended = try await finished(Task { await task.result }, "the handler ends once cancelled")
        #expect(throws: CancellationError.self) { try ended.get() }
    }
}
