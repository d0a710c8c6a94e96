import Synchronization

/// The keep-alive connections to one (scheme, host, port): at most `capacity` open at once,
/// idle ones reused newest first (LIFO keeps the set of warm connections small, so the rest
/// reach their idle timeout), callers beyond the cap queued in arrival order.
///
/// Accounting invariant: `total` counts every connection slot handed out as `.fresh` or held
/// idle, and is decremented exactly once per slot, by `release(_, reusable: false)`,
/// `releaseSlot()` or a successful `removeIdle`. Thread-safe (one mutex; continuations are
/// resumed outside it).
final class ConnectionPool: Sendable {
    enum Lease: Sendable {
        case reuse(ClientConnection)
        /// A slot for a new connection: the caller connects it.
        case fresh
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Lease, any Error>
    }

    private struct State {
        var idle: [ClientConnection] = []
        var total = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var shutDown = false
    }

    let capacity: Int
    let host: String
    private let state = Mutex(State())

    init(capacity: Int, host: String) {
        self.capacity = capacity
        self.host = host
    }

    func acquire(timeoutLoop: EventLoop, remaining: Duration) async throws -> Lease {
        try await withCheckedThrowingContinuation { continuation in
            let (lease, waiterID, failed) = state.withLock { s -> (Lease?, UInt64?, Bool) in
                if s.shutDown { return (nil, nil, true) }
                if let connection = s.idle.popLast() { return (.reuse(connection), nil, false) }
                if s.total < capacity {
                    s.total += 1
                    return (.fresh, nil, false)
                }
                s.nextWaiterID += 1
                s.waiters.append(Waiter(id: s.nextWaiterID, continuation: continuation))
                return (nil, s.nextWaiterID, false)
            }
            if failed { continuation.resume(throwing: HTTPClientError.shutdown) }
            if let lease { continuation.resume(returning: lease) }
            if let waiterID {
                let host = self.host
                timeoutLoop.schedule(after: remaining) { [self] in
                    let waiter = state.withLock { s -> Waiter? in
                        guard let index = s.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
                        return s.waiters.remove(at: index)
                    }
                    waiter?.continuation.resume(throwing: HTTPClientError.requestTimeout(host: host))
                }
            }
        }
    }

    /// An exchange finished. A reusable connection goes to the oldest waiter or back to the idle
    /// list (returns true then: the caller starts its idle timer); a dead one frees its slot.
    func release(_ connection: ClientConnection, reusable: Bool) -> Bool {
        let (waiter, lease, wentIdle) = state.withLock { s -> (Waiter?, Lease?, Bool) in
            if reusable && !s.shutDown {
                if !s.waiters.isEmpty { return (s.waiters.removeFirst(), .reuse(connection), false) }
                s.idle.append(connection)
                return (nil, nil, true)
            }
            s.total -= 1
            return handOutFreeSlot(&s)
        }
        if let waiter, let lease { waiter.continuation.resume(returning: lease) }
        return wentIdle
    }

    /// A `.fresh` slot that never became a connection (DNS failure).
    func releaseSlot() {
        let (waiter, lease, _) = state.withLock { s -> (Waiter?, Lease?, Bool) in
            s.total -= 1
            return handOutFreeSlot(&s)
        }
        if let waiter, let lease { waiter.continuation.resume(returning: lease) }
    }

    private func handOutFreeSlot(_ s: inout State) -> (Waiter?, Lease?, Bool) {
        guard !s.waiters.isEmpty, s.total < capacity else { return (nil, nil, false) }
        s.total += 1
        return (s.waiters.removeFirst(), .fresh, false)
    }

    /// Takes an idle connection out (peer closed it, or its idle timer fired). False when a
    /// caller leased it in the meantime: that caller will find it closed and release it.
    func removeIdle(_ connection: ClientConnection) -> Bool {
        let (removed, waiter, lease) = state.withLock { s -> (Bool, Waiter?, Lease?) in
            guard let index = s.idle.firstIndex(where: { $0 === connection }) else { return (false, nil, nil) }
            s.idle.remove(at: index)
            s.total -= 1
            let (waiter, lease, _) = handOutFreeSlot(&s)
            return (true, waiter, lease)
        }
        if let waiter, let lease { waiter.continuation.resume(returning: lease) }
        return removed
    }

    /// Fails the waiters and returns the idle connections for closing.
    func shutdown() -> [ClientConnection] {
        let (idle, waiters) = state.withLock { s -> ([ClientConnection], [Waiter]) in
            s.shutDown = true
            defer { s.idle = []; s.waiters = [] }
            s.total -= s.idle.count
            return (s.idle, s.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: HTTPClientError.shutdown) }
        return idle
    }

    var counts: (idle: Int, total: Int) { state.withLock { ($0.idle.count, $0.total) } }
}
