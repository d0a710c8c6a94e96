import Foundation
import Testing
@testable import Pismo

/// Each message on its own: a resolved message is deleted without waiting for its batch, and a
/// message abandoned to the redrive policy is never kept invisible again.
@Suite(.timeLimit(.minutes(1))) struct ProcessorPerMessageTests {
    /// Puts for client "slow" wait for `gate`; the rest go straight to the memory table.
    final class GatedStore: EventStore {
        let inner = MemoryStore()
        let gate = ShutdownSignal()
        func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
            if item.clientID == "slow" { await gate.wait() }
            return try await inner.putIfAbsent(item)
        }
    }

    func service(queue: MemoryQueue, store: any EventStore, dlq: MemoryDLQ, registry: MetricsRegistry) -> ProcessorService {
        let handler = MessageHandler(validator: StubValidator(), store: store, invalidEvents: dlq, queue: queue,
                                     heartbeat: .milliseconds(50), sleep: { _ in try await Task.sleep(for: .milliseconds(1)) },
                                     failures: ProcessorFailureMetrics(registry: registry))
        return ProcessorService(queue: queue, handler: handler, pollers: 1, drainTimeout: .milliseconds(100),
                                metrics: ProcessorMetrics(registry: registry))
    }

    func message(_ body: String, _ id: String) -> QueueMessage {
        QueueMessage(messageID: id, receiptHandle: "rh-\(id)", body: Array(body.utf8))
    }

    @Test func aResolvedMessageIsDeletedWhileASlowSiblingIsStillBeingStored() async throws {
        let queue = MemoryQueue([message(#"{"c":"slow"}"#, "slow"), message(#"{"c":"fast"}"#, "fast"), message("garbage", "bad")])
        let store = GatedStore(), dlq = MemoryDLQ(), shutdown = ShutdownSignal()
        let running = Task { await service(queue: queue, store: store, dlq: dlq, registry: MetricsRegistry()).run(until: shutdown) }
        try await eventually("the fast and the invalid message are deleted", within: .seconds(10)) {
            Set(queue.deleted.withLock { $0 }) == ["rh-fast", "rh-bad"]
        }
        // The slow one is still unresolved and kept invisible by the heartbeat; the deleted ones never are.
        try await eventually("the heartbeat extends the slow message", within: .seconds(10)) {
            queue.visibilityChanges.withLock { $0.contains { $0.0 == "rh-slow" } }
        }
        #expect(!queue.deleted.withLock { $0.contains("rh-slow") })
        store.gate.trigger()
        try await eventually("the slow message is deleted once stored", within: .seconds(10)) {
            queue.deleted.withLock { $0.contains("rh-slow") }
        }
        shutdown.trigger()
        try await finished(running, "the processor stops")
        #expect(queue.visibilityChanges.withLock { $0.allSatisfy { $0.0 == "rh-slow" } }, "resolved messages are never extended")
    }

    @Test func anAbandonedMessageIsNeitherDeletedNorKeptInvisible() async throws {
        let refusal = AWSError(service: "sqs", operation: "SendMessage", status: 400, code: "InvalidParameterValue",
                               message: "Message must be shorter than 262144 bytes.")
        let queue = MemoryQueue([message(#"{"c":"slow"}"#, "slow"), message("garbage", "poison")])
        let store = GatedStore(), dlq = MemoryDLQ(refusals: .max, refusal: refusal), registry = MetricsRegistry()
        let shutdown = ShutdownSignal()
        let running = Task { await service(queue: queue, store: store, dlq: dlq, registry: registry).run(until: shutdown) }
        try await eventually("the poison message is abandoned", within: .seconds(10)) {
            registry.render().contains("pismo_events_dlq_refused_total 1\n")
        }
        // Several heartbeats pass while the slow sibling holds the batch open.
        try await eventually("three heartbeats for the slow message", within: .seconds(10)) {
            queue.visibilityChanges.withLock { $0.filter { $0.0 == "rh-slow" }.count >= 3 }
        }
        #expect(!queue.visibilityChanges.withLock { $0.contains { $0.0 == "rh-poison" } }, "never extended after being abandoned")
        #expect(!queue.deleted.withLock { $0.contains("rh-poison") }, "left for the redrive policy")
        #expect(dlq.tried.withLock { $0.count } == 2)
        store.gate.trigger()
        shutdown.trigger()
        try await finished(running, "the processor stops")
        #expect(!queue.deleted.withLock { $0.contains("rh-poison") })
    }
}
