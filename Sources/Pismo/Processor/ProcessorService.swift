import Transport
import Logging

/// `pismo processor`: many concurrent long polls on the events queue, each batch handled
/// concurrently. Each message is deleted once its own outcome is durable, in one DeleteMessageBatch
/// with its siblings when the batch resolves together, and at most `maxDeleteDelay` after it resolved
/// when a sibling is slow: a slow sibling (which could outlast the others' visibility timeout and
/// bring them back: an invalid event dead-lettered twice, a valid one's receive count climbing
/// towards the redrive limit) never holds the others.
///
/// Back-pressure is structural: a poller does not poll again until its batch is resolved, has at most
/// one delete in flight, and waits before polling while more than two batches wait to be deleted, so
/// at most `pollers × 10` messages are in flight and memory stays bounded however fast SQS delivers.
///
/// Visibility: while any message of a batch is unresolved — a long single attempt as much as a run of
/// retries — one heartbeat extends the unresolved ones (ChangeMessageVisibilityBatch) every half
/// visibility timeout, so SQS neither redelivers them nor counts them towards the redrive limit. A
/// resolved message leaves the heartbeat at once: it is being deleted, or (abandoned: events-dlq
/// refused it) it must become visible again so that the redrive policy can move it.
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
    /// The longest a resolved message waits for its batch's slow siblings before it is deleted alone:
    /// far inside any visibility timeout, long enough for a healthy batch (concurrent PutItems, tens
    /// of milliseconds apart) to go in one DeleteMessageBatch. Deleting each as it resolved doubled
    /// DeleteMessageBatch calls per event (0.10 → 0.21 at 100 events/s, `bench/pipeline.sh`).
    static let maxDeleteDelay: Duration = .seconds(1)
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

    /// The poller's direct dispatches and its deleter are children of its group: it returns only
    /// when they are done (the deleter once every resolved message is deleted).
    private func poll(_ index: Int, pool: DirectDispatchPool?, until shutdown: ShutdownSignal) async {
        let deletions = ResolvedDeletions()
        await withDiscardingTaskGroup { children in
            children.addTask { await self.deleteAsResolved(deletions) }
            await pollLoop(index, pool: pool, deletions: deletions, dispatches: &children, until: shutdown)
            deletions.finish()
        }
    }

    private func pollLoop(_ index: Int, pool: DirectDispatchPool?, deletions: ResolvedDeletions,
                          dispatches: inout DiscardingTaskGroup, until shutdown: ShutdownSignal) async {
        var failures = 0
        while !shutdown.isTriggered {
            // Deletes run alongside polling and handling; only a backlog (SQS slow to delete) holds
            // the next poll, so that handles waiting for deletion stay bounded.
            while deletions.backlog > 2 * Self.maxMessagesPerReceive, !shutdown.isTriggered {
                try? await ServiceSleep.sleep(for: .milliseconds(20))
            }
            let messages = await receiveBatch(index, afterFailures: failures)
            failures = messages == nil ? failures + 1 : 0
            if let messages, !messages.isEmpty {
                metrics.received.increment(by: messages.count)
                await handleBatch(messages, pool: pool, deletions: deletions, dispatches: &dispatches, shutdown: shutdown)
            }
        }
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

    /// Resolves the batch, each message settled (counted, and deleted or released) as it resolves.
    private func handleBatch(_ messages: [QueueMessage], pool: DirectDispatchPool?, deletions: ResolvedDeletions,
                             dispatches: inout DiscardingTaskGroup, shutdown: ShutdownSignal) async {
        metrics.inFlight.add(messages.count)
        defer { metrics.inFlight.add(-messages.count) }
        let started = ContinuousClock.now
        await resolveKeepingInvisible(messages, pool: pool, deletions: deletions, dispatches: &dispatches, shutdown: shutdown)
        metrics.batchLatency.observe(ContinuousClock.now - started)
    }

    /// Counts the outcome and hands the message to the deleter; what is unresolved (shutdown) is
    /// released at once, and what is abandoned is left alone for the redrive policy.
    private func settle(_ message: QueueMessage, _ disposition: MessageHandler.Disposition?, deletions: ResolvedDeletions) async {
        switch disposition {
        case .stored?:
            metrics.stored.increment()
            deletions.add(message.receiptHandle)
        case .duplicate?:
            metrics.duplicates.increment()
            deletions.add(message.receiptHandle)
        case .invalid?:
            metrics.invalid.increment()
            deletions.add(message.receiptHandle)
        case .abandoned?:
            break  // counted and logged by the handler; it reappears after its visibility timeout
        case nil:
            // Unresolved at shutdown: hand it back now rather than after its visibility timeout.
            try? await queue.changeVisibility(message.receiptHandle, seconds: 0)
        }
    }

    private enum BatchEvent: Sendable {
        case resolved(QueueMessage, MessageHandler.Disposition?)
        case drainDeadline
        /// `maxDeleteDelay` has passed since the batch's first message resolved.
        case deleteDeadline
        case stopped
    }

    /// Handles the batch concurrently. Alongside, one heartbeat keeps the still-unresolved messages
    /// invisible however long a single attempt takes, and one watcher gives the batch `drainTimeout`
    /// after shutdown triggers, then cancels what is left (reported unresolved, nil). One heartbeat
    /// and one watcher per batch, not per message: the per-event cost stays one child task.
    private func resolveKeepingInvisible(_ messages: [QueueMessage], pool: DirectDispatchPool?, deletions: ResolvedDeletions,
                                         dispatches: inout DiscardingTaskGroup, shutdown: ShutdownSignal) async {
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
            var resolved = 0
            while let event = await group.next() {
                switch event {
                case let .resolved(message, disposition):
                    // Out of the heartbeat first: a resolved message is never extended again.
                    unresolved.remove(message.receiptHandle)
                    // Direct dispatch starts as soon as this event is stored, not when its batch is.
                    if let pool, case let .stored(item)? = disposition { pool.start(item, in: &dispatches) }
                    await settle(message, disposition, deletions: deletions)
                    resolved += 1
                    if resolved == messages.count {
                        deletions.flush()
                        group.cancelAll()  // stops heartbeat, watcher and delete deadline
                    } else if resolved == 1 {
                        group.addTask {
                            do { try await ServiceSleep.sleep(for: Self.maxDeleteDelay) } catch { return .stopped }
                            return .deleteDeadline
                        }
                    }
                case .deleteDeadline:
                    deletions.flush()  // a slow sibling: what has resolved goes without it
                case .drainDeadline:
                    group.cancelAll()  // the handlers left throw CancellationError: unresolved
                case .stopped:
                    break
                }
            }
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

    /// The poller's deleter: one DeleteMessageBatch at a time, each taking whatever has resolved
    /// (up to 10) when a batch flushes. Ends once `deletions` is finished and empty.
    private func deleteAsResolved(_ deletions: ResolvedDeletions) async {
        for await _ in deletions.signals {
            while case let batch = deletions.take(Self.maxMessagesPerReceive), !batch.isEmpty { await delete(batch) }
        }
        while case let batch = deletions.take(Self.maxMessagesPerReceive), !batch.isEmpty { await delete(batch) }
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

/// Receipt handles of resolved messages waiting for the poller's deleter, and the signal that wakes it.
private final class ResolvedDeletions: Sendable {
    private let pending = Locked<[String]>([])
    let signals: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() { (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1)) }

    /// Queues a resolved message's handle; it is deleted at the next `flush`.
    func add(_ handle: String) { pending.withLock { $0.append(handle) } }

    /// Wakes the deleter for what has been queued.
    func flush() { wake.yield() }

    func take(_ limit: Int) -> [String] {
        pending.withLock { p in
            let batch = Array(p.prefix(limit))
            p.removeFirst(batch.count)
            return batch
        }
    }

    var backlog: Int { pending.withLock { $0.count } }

    /// No more handles: the deleter deletes what is left and ends.
    func finish() { wake.finish() }
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
