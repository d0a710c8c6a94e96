import Synchronization

/// Direct dispatch: deliver right after storing, then record the outcome on the item so the stream
/// path neither delivers it a second time (delivered) nor waits for it (left to the stream).
/// Failures are silent here by design — the stream path takes over.
public protocol DirectDispatcher: Sendable {
    /// One attempt, then its outcome recorded (the recorder batches outcomes across events).
    func dispatch(_ item: EventItem) async
    /// No attempt: record at once that the stream path delivers this one (the pool is full).
    func handOver(_ item: EventItem) async
}

/// Bounds direct dispatch and keeps it structured.
///
/// - Bounded: at most `capacity` events are being dispatched at once. An event beyond that is handed
///   to the stream path at once instead of queueing, so a slow client can make neither direct
///   dispatch nor the pollers wait, and memory stays bounded.
/// - Structured: each dispatch is a child task of the group its poller runs in, so the poller (and
///   with it `ProcessorService.run`) returns only once every dispatch it started has recorded its
///   outcome — which is how shutdown waits for them (each attempt is bounded by the delivery timeout).
/// Thread-safe: pollers share one pool; the count is an atomic.
public final class DirectDispatchPool: Sendable {
    private let dispatcher: any DirectDispatcher
    private let capacity: Int
    private let inFlight = Atomic<Int>(0)

    public init(dispatcher: any DirectDispatcher, capacity: Int) {
        self.dispatcher = dispatcher
        self.capacity = max(1, capacity)
    }

    /// Events being dispatched right now.
    public var dispatching: Int { inFlight.load(ordering: .relaxed) }

    /// Never waits: the event is dispatched if there is room, handed over to the stream path if not.
    public func start(_ item: EventItem, in group: inout DiscardingTaskGroup) {
        if inFlight.wrappingAdd(1, ordering: .relaxed).newValue <= capacity {
            group.addTask {
                await self.dispatcher.dispatch(item)
                self.inFlight.wrappingSubtract(1, ordering: .relaxed)
            }
        } else {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            group.addTask { await self.dispatcher.handOver(item) }
        }
    }
}
