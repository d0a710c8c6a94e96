import Transport
import Logging

/// `pismo processor`: many concurrent long polls on the events queue, each batch handled
/// concurrently and deleted in one DeleteMessageBatch, which overlaps the poller's next long poll.
///
/// Back-pressure is structural: a poller does not poll again until its batch is resolved, and has at
/// most one delete in flight, so at most `pollers × 10` messages are in flight and memory stays
/// bounded however fast SQS delivers.
///
/// Visibility: while any message of a batch is unresolved — a long single attempt as much as a run of
/// retries — one heartbeat extends the unresolved ones (ChangeMessageVisibilityBatch) every half
/// visibility timeout, so SQS neither redelivers them nor counts them towards the redrive limit.
///
/// Direct dispatch (optional) runs in a `DirectDispatchPool` bounded by the same in-flight limit
/// (`pollers × 10` events); what does not fit is handed to the stream path at once.
///
/// Shutdown: once `shutdown` triggers no new poll starts; a poll already in flight is allowed to
/// return and its messages are processed; whatever cannot be resolved within `drainTimeout` is
/// released at once (visibility 0) instead of sitting out its visibility timeout. Direct dispatches
/// already started finish (each is bounded by the delivery timeout) and record their outcome before
/// `run` returns.
public final class ProcessorService: Sendable {
    public static let maxMessagesPerReceive = 10
    /// SQS's maximum long poll: fewest empty receives.
    public static let defaultWaitTimeSeconds = 20
    /// Pauses after failed receives: 200 ms after the first, doubling to 20 s, so consumption slows
    /// down during an outage instead of spinning.
    static let receiveBackoff = Backoff(base: .milliseconds(100), cap: .seconds(20), jittered: false)
    /// Pauses between the five delete attempts (200 ms doubling).
    static let deleteBackoff = Backoff(base: .milliseconds(100), cap: .seconds(5), jittered: false)

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
        let pool = dispatcher.map { DirectDispatchPool(dispatcher: $0, capacity: pollers * Self.maxMessagesPerReceive) }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<pollers {
                group.addTask { await self.poll(index, pool: pool, until: shutdown) }
            }
        }
        logger.info("processor stopped")
    }

    /// The poller's direct dispatches are children of its group: it returns only when they are done.
    private func poll(_ index: Int, pool: DirectDispatchPool?, until shutdown: ShutdownSignal) async {
        await withDiscardingTaskGroup { dispatches in
            await pollLoop(index, pool: pool, dispatches: &dispatches, until: shutdown)
        }
    }

    private func pollLoop(_ index: Int, pool: DirectDispatchPool?, dispatches: inout DiscardingTaskGroup,
                          until shutdown: ShutdownSignal) async {
        var failures = 0
        var done: [String] = []
        while !shutdown.isTriggered {
            // The last batch's delete runs alongside the next long poll and that batch's handling:
            // the poller is back in line for new messages a DeleteMessageBatch round trip sooner,
            // which is what a message arriving while every poller is busy waits for (against moto at
            // 100 events/s the gain is inside the noise: bench/RESULTS.md, session 4). A batch being
            // handled keeps its heartbeat meanwhile; one delete at most is in flight per poller.
            let previous = done
            async let deleting: Void = delete(previous)
            let messages = await receiveBatch(index, afterFailures: failures)
            failures = messages == nil ? failures + 1 : 0
            done = []
            if let messages, !messages.isEmpty {
                metrics.received.increment(by: messages.count)
                done = await handleBatch(messages, pool: pool, dispatches: &dispatches, shutdown: shutdown)
            }
            await deleting
        }
        await delete(done)
    }

    /// One long poll; nil when it failed (after a backoff that grows with `failures`), so that
    /// consumption slows down during an outage instead of spinning.
    private func receiveBatch(_ index: Int, afterFailures failures: Int) async -> [QueueMessage]? {
        do {
            return try await queue.receive(maxMessages: Self.maxMessagesPerReceive, waitSeconds: waitTimeSeconds)
        } catch {
            logger.warning("receive failed", metadata: ["poller": "\(index)", "error": "\(error)"])
            try? await ServiceSleep.sleep(for: Self.receiveBackoff.delay(attempt: failures + 2))
            return nil
        }
    }

    /// Resolves the batch; returns the receipt handles to delete (stored, duplicate or dead-lettered).
    /// What is unresolved at shutdown is released at once instead.
    private func handleBatch(_ messages: [QueueMessage], pool: DirectDispatchPool?, dispatches: inout DiscardingTaskGroup,
                             shutdown: ShutdownSignal) async -> [String] {
        metrics.inFlight.add(messages.count)
        defer { metrics.inFlight.add(-messages.count) }
        let started = ContinuousClock.now
        let resolved = await resolveKeepingInvisible(messages, pool: pool, dispatches: &dispatches, shutdown: shutdown)
        metrics.batchLatency.observe(ContinuousClock.now - started)
        var done: [String] = []
        for (message, disposition) in resolved {
            switch disposition {
            case .stored?:
                metrics.stored.increment()
                done.append(message.receiptHandle)
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
        return done
    }

    private enum BatchEvent: Sendable {
        case resolved(QueueMessage, MessageHandler.Disposition?)
        case drainDeadline
        case stopped
    }

    /// Handles the batch concurrently. Alongside, one heartbeat keeps the still-unresolved messages
    /// invisible however long a single attempt takes, and one watcher gives the batch `drainTimeout`
    /// after shutdown triggers, then cancels what is left (reported unresolved, nil). One heartbeat
    /// and one watcher per batch, not per message: the per-event cost stays one child task.
    private func resolveKeepingInvisible(_ messages: [QueueMessage], pool: DirectDispatchPool?,
                                         dispatches: inout DiscardingTaskGroup, shutdown: ShutdownSignal)
        async -> [(QueueMessage, MessageHandler.Disposition?)] {
        let unresolved = UnresolvedHandles(messages.map(\.receiptHandle))
        return await withTaskGroup(of: BatchEvent.self) { group in
            for message in messages {
                group.addTask { .resolved(message, try? await self.handler.handle(message)) }
            }
            if handler.heartbeat > .zero {
                group.addTask { await self.heartbeat(unresolved); return .stopped }
            }
            group.addTask {
                await shutdown.wait()
                do { try await ServiceSleep.sleep(for: self.drainTimeout) } catch { return .stopped }
                return .drainDeadline
            }
            var resolved: [(QueueMessage, MessageHandler.Disposition?)] = []
            for await event in group {
                switch event {
                case let .resolved(message, disposition):
                    // Direct dispatch starts as soon as this event is stored, not when its batch is.
                    if let pool, case let .stored(item)? = disposition { pool.start(item, in: &dispatches) }
                    resolved.append((message, disposition))
                    unresolved.remove(message.receiptHandle)
                    if resolved.count == messages.count { group.cancelAll() }  // stops heartbeat and watcher
                case .drainDeadline:
                    group.cancelAll()  // the handlers left throw CancellationError: unresolved
                case .stopped:
                    break
                }
            }
            return resolved
        }
    }

    private func heartbeat(_ unresolved: UnresolvedHandles) async {
        while true {
            do { try await ServiceSleep.sleep(for: handler.heartbeat) } catch { return }
            let handles = unresolved.current
            if handles.isEmpty { return }
            do {
                try await queue.extendVisibility(handles, seconds: handler.visibilityTimeoutSeconds)
            } catch {
                logger.warning("visibility heartbeat failed", metadata: ["count": "\(handles.count)", "error": "\(error)"])
            }
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
                try? await ServiceSleep.sleep(for: Self.deleteBackoff.delay(attempt: attempt + 1))
            }
        }
        // A message we failed to delete is redelivered later and then found already stored (or
        // already dead-lettered): harmless duplicates, never a loss.
        if !pending.isEmpty { logger.error("could not delete messages; they will be redelivered", metadata: ["count": "\(pending.count)"]) }
    }
}

/// The receipt handles of a batch not yet resolved, shared by its handlers and its heartbeat.
private final class UnresolvedHandles: Sendable {
    private let handles: Locked<Set<String>>
    init(_ handles: [String]) { self.handles = Locked(Set(handles)) }
    func remove(_ handle: String) { handles.withLock { _ = $0.remove(handle) } }
    var current: [String] { handles.withLock { Array($0) } }
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
