import Foundation
import Testing
@testable import Pismo

@Suite(.timeLimit(.minutes(1))) struct ProcessorServiceTests {
    func service(queue: MemoryQueue, store: MemoryStore, dlq: MemoryDLQ, registry: MetricsRegistry,
                 drain: Duration = .seconds(5)) -> ProcessorService {
        let handler = MessageHandler(validator: StubValidator(), store: store, invalidEvents: dlq, queue: queue,
                                     sleep: { _ in try await Task.sleep(for: .milliseconds(1)) })
        return ProcessorService(queue: queue, handler: handler, pollers: 4, drainTimeout: drain,
                                metrics: ProcessorMetrics(registry: registry))
    }

    func messages(_ n: Int, invalidEvery: Int = 10) -> [QueueMessage] {
        (0..<n).map { i in
            let body = i % invalidEvery == invalidEvery - 1 ? "garbage \(i)" : #"{"c":"client-\#(i % 7)","n":\#(i)}"#
            return QueueMessage(messageID: "m\(i)", receiptHandle: "rh\(i)", body: Array(body.utf8))
        }
    }

    @Test func everyMessageIsStoredOrDeadLetteredAndThenDeleted() async throws {
        let queue = MemoryQueue(messages(250)), store = MemoryStore(), dlq = MemoryDLQ(), registry = MetricsRegistry()
        let shutdown = ShutdownSignal()
        let running = Task { await service(queue: queue, store: store, dlq: dlq, registry: registry).run(until: shutdown) }
        try await eventually("all 250 deleted", within: .seconds(20)) { queue.deleted.withLock { $0.count } >= 250 }
        shutdown.trigger()
        try await finished(running, "the processor stops")
        #expect(store.items.withLock { $0.count } == 225)
        #expect(dlq.published.withLock { $0.count } == 25)
        #expect(Set(queue.deleted.withLock { $0 }) == Set((0..<250).map { "rh\($0)" }))
        let text = registry.render()
        #expect(text.contains("pismo_received_total 250"))
        #expect(text.contains("pismo_stored_total 225"))
        #expect(text.contains("pismo_invalid_total 25"))
    }

    @Test func unresolvedMessagesAreReleasedAtShutdownNotAbandoned() async throws {
        // The store is down for good: nothing can resolve, so shutdown must hand every message back.
        let queue = MemoryQueue(messages(5, invalidEvery: 1000)), store = MemoryStore(failures: .max), dlq = MemoryDLQ()
        let shutdown = ShutdownSignal()
        let running = Task { await service(queue: queue, store: store, dlq: dlq, registry: MetricsRegistry(), drain: .milliseconds(50)).run(until: shutdown) }
        // Every message received and being retried: each put has failed at least once.
        try await eventually("all 5 received and retrying", within: .seconds(10)) {
            queue.pending.withLock { $0.isEmpty } && store.attempts.withLock { $0 } >= 5
        }
        shutdown.trigger()
        try await finished(running, "the processor stops")
        #expect(queue.deleted.withLock { $0.isEmpty })
        #expect(dlq.published.withLock { $0.isEmpty })
        let released = queue.visibilityChanges.withLock { $0.filter { $0.1 == 0 }.map(\.0) }
        #expect(Set(released) == Set((0..<5).map { "rh\($0)" }))
    }
}
