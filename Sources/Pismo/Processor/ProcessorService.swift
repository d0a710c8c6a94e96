import Logging

/// `pismo processor`: many concurrent long polls on the events queue, each batch handled
/// concurrently and deleted in one DeleteMessageBatch.
///
/// Back-pressure is structural: a poller does not poll again until its batch is resolved, so at most
/// `pollers × 10` messages are in flight and memory stays bounded however fast SQS delivers.
///
/// Shutdown: once `shutdown` triggers no new poll starts; a poll already in flight is allowed to
/// return and its messages are processed; whatever cannot be resolved within `drainTimeout` is
/// released at once (visibility 0) instead of sitting out its visibility timeout.
public final class ProcessorService: Sendable {
    public static let maxMessagesPerReceive = 10
    /// SQS's maximum long poll: fewest empty receives.
    public static let defaultWaitTimeSeconds = 20

    private let queue: any EventQueue
    private let handler: MessageHandler
    private let pollers: Int
    private let waitTimeSeconds: Int
    private let drainTimeout: Duration
    private let metrics: ProcessorMetrics
    private let dispatcher: (any DirectDispatcher)?
    private let logger: Logger

    public init(queue: any EventQueue, handler: MessageHandler, pollers: Int = 8,
                waitTimeSeconds: Int = ProcessorService.defaultWaitTimeSeconds, drainTimeout: Duration = .seconds(20),
                metrics: ProcessorMetrics, dispatcher: (any DirectDispatcher)? = nil,
                logger: Logger = Logger(label: "pismo.processor")) {
        self.queue = queue
        self.handler = handler
        self.pollers = max(1, pollers)
        self.waitTimeSeconds = min(20, max(0, waitTimeSeconds))
        self.drainTimeout = drainTimeout
        self.metrics = metrics
        self.dispatcher = dispatcher
        self.logger = logger
    }

    public func run(until shutdown: ShutdownSignal) async {
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<pollers {
                group.addTask { await self.poll(index, until: shutdown) }
            }
        }
        logger.info("processor stopped")
    }

    private func poll(_ index: Int, until shutdown: ShutdownSignal) async {
        var failures = 0
        while !shutdown.isTriggered {
            let messages: [QueueMessage]
            do {
                messages = try await queue.receive(maxMessages: Self.maxMessagesPerReceive, waitSeconds: waitTimeSeconds)
                failures = 0
            } catch {
                failures += 1
                logger.warning("receive failed", metadata: ["poller": "\(index)", "error": "\(error)"])
                // Consumption slows down during an outage instead of spinning.
                try? await Task.sleep(for: .milliseconds(min(20_000, 100 << min(failures, 8))))
                continue
            }
            if messages.isEmpty { continue }
            metrics.received.increment(by: messages.count)
            await handleBatch(messages, shutdown: shutdown)
        }
    }

    private func handleBatch(_ messages: [QueueMessage], shutdown: ShutdownSignal) async {
        metrics.inFlight.add(messages.count)
        defer { metrics.inFlight.add(-messages.count) }
        let started = ContinuousClock.now
        let resolved = await withTaskGroup(of: (QueueMessage, MessageHandler.Disposition?).self) { group in
            for message in messages {
                group.addTask { (message, try? await self.handleWithDeadline(message, shutdown: shutdown)) }
            }
            var resolved: [(QueueMessage, MessageHandler.Disposition?)] = []
            for await result in group { resolved.append(result) }
            return resolved
        }
        metrics.batchLatency.observe(ContinuousClock.now - started)
        var done: [String] = []
        for (message, disposition) in resolved {
            switch disposition {
            case let .stored(item)?:
                metrics.stored.increment()
                done.append(message.receiptHandle)
                if let dispatcher { Task { await dispatcher.dispatch(item) } }
            case .duplicate?:
                metrics.duplicates.increment()
                done.append(message.receiptHandle)
            case .invalid?:
                metrics.invalid.increment()
                done.append(message.receiptHandle)
            case nil:
                // Unresolved at shutdown: hand it back now rather than after its visibility timeout.
                try? await queue.changeVisibility(message.receiptHandle, seconds: 0)
            }
        }
        await delete(done)
    }

    /// Runs normally; after shutdown triggers, the message gets `drainTimeout` to resolve.
    private func handleWithDeadline(_ message: QueueMessage, shutdown: ShutdownSignal) async throws -> MessageHandler.Disposition {
        try await withThrowingTaskGroup(of: MessageHandler.Disposition?.self) { group in
            group.addTask { try await self.handler.handle(message) }
            group.addTask {
                await shutdown.wait()
                try await Task.sleep(for: self.drainTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let disposition = first else { throw CancellationError() }
            return disposition
        }
    }

    private func delete(_ handles: [String]) async {
        guard !handles.isEmpty else { return }
        var pending = handles
        for attempt in 1...5 where !pending.isEmpty {
            do {
                pending = try await queue.delete(pending)
            } catch {
                logger.warning("delete failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
        // A message we failed to delete is redelivered later and then found already stored (or
        // already dead-lettered): harmless duplicates, never a loss.
        if !pending.isEmpty { logger.error("could not delete messages; they will be redelivered", metadata: ["count": "\(pending.count)"]) }
    }
}

/// Direct dispatch: deliver right after storing, mark the item so the stream path does not deliver it
/// again. Failures are silent here by design — the stream path takes over.
public protocol DirectDispatcher: Sendable {
    func dispatch(_ item: EventItem) async
}

public struct ProcessorMetrics: Sendable {
    public let received: Counter
    public let stored: Counter
    public let duplicates: Counter
    public let invalid: Counter
    public let inFlight: Gauge
    public let batchLatency: Histogram

    public init(registry: MetricsRegistry) {
        received = registry.counter("pismo_received_total", help: "Messages received from the events queue.")
        stored = registry.counter("pismo_stored_total", help: "Events stored in DynamoDB.")
        duplicates = registry.counter("pismo_duplicates_total", help: "Redelivered messages found already stored.")
        invalid = registry.counter("pismo_invalid_total", help: "Invalid events published to the events DLQ.")
        inFlight = registry.gauge("pismo_processor_in_flight", help: "Messages being processed.")
        batchLatency = registry.histogram("pismo_processor_batch_seconds", help: "Time to resolve one received batch.")
    }
}
