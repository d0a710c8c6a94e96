import Synchronization

/// Direct dispatch: deliver right after storing, then record the outcome on the item so the stream
/// path neither delivers it a second time (delivered) nor waits for it (left to the stream).
/// Failures are silent here by design — the stream path takes over.
public protocol DirectDispatcher: Sendable {
    /// One attempt per item, then every outcome recorded (batched: one write for the whole set).
    func dispatch(_ items: [EventItem]) async
    /// No attempt: record at once that the stream path delivers these (the pool is full).
    func handOver(_ items: [EventItem]) async
}

/// Runs direct dispatch off the pollers' path, bounded and structured.
///
/// - Bounded: at most `capacity` events are being dispatched at once. Events beyond that are handed
///   to the stream path immediately instead of queueing, so a slow client cannot make direct dispatch
///   (or the pollers) wait, and memory stays bounded.
/// - Structured: every dispatch is a child task of `run()`; `run()` returns only after `finish()`
///   and after every dispatch it started has recorded its outcome — which is how shutdown waits for
///   them (each attempt is bounded by the delivery timeout).
/// Thread-safe: `submit` may be called from any poller concurrently.
public final class DirectDispatchPool: Sendable {
    private enum Work: Sendable {
        case dispatch([EventItem])
        case handOver([EventItem])
    }

    private let dispatcher: any DirectDispatcher
    private let capacity: Int
    private let inFlight = Mutex(0)
    private let work: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation

    public init(dispatcher: any DirectDispatcher, capacity: Int) {
        self.dispatcher = dispatcher
        self.capacity = max(1, capacity)
        (work, continuation) = AsyncStream<Work>.makeStream()
    }

    /// Events being dispatched right now.
    public var dispatching: Int { inFlight.withLock { $0 } }

    /// Never waits: what fits is dispatched, the rest handed over to the stream path.
    public func submit(_ items: [EventItem]) {
        guard !items.isEmpty else { return }
        let admitted = inFlight.withLock { count in
            let room = max(0, min(items.count, capacity - count))
            count += room
            return room
        }
        if admitted > 0 { continuation.yield(.dispatch(Array(items.prefix(admitted)))) }
        if admitted < items.count { continuation.yield(.handOver(Array(items.dropFirst(admitted)))) }
    }

    /// No more submissions; `run()` returns once the started dispatches are done.
    public func finish() { continuation.finish() }

    public func run() async {
        await withDiscardingTaskGroup { group in
            for await next in work {
                group.addTask { [self] in
                    switch next {
                    case let .dispatch(items):
                        await self.dispatcher.dispatch(items)
                        self.inFlight.withLock { $0 -= items.count }
                    case let .handOver(items):
                        await self.dispatcher.handOver(items)
                    }
                }
            }
        }
    }
}
