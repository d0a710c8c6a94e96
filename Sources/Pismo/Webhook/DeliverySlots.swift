/// A process-wide cap on webhook attempts in flight (and so on the sockets they hold), shared fairly:
/// at most `capacity` attempts run at once; no client holds more than `perClient` of them and no
/// receiver host more than `perHost` (many tenants behind one hung host cannot take every slot);
/// and a freed slot goes to the waiting client holding the fewest, not to the oldest waiter — a
/// tenant with ten thousand events queued cannot shut out one with a single event.
///
/// Per-client lanes (`KeyedLimiter`) bound one client; this bounds all of them together, which the
/// lanes alone do not (8 lanes × every active client × every shard).
public actor DeliverySlots {
    public struct Options: Sendable, Equatable {
        public var capacity: Int
        public var perClient: Int
        public var perHost: Int

        /// Defaults: a quarter of the slots per client, half per host.
        public init(capacity: Int = 512, perClient: Int? = nil, perHost: Int? = nil) {
            self.capacity = max(1, capacity)
            self.perClient = max(1, min(self.capacity, perClient ?? self.capacity / 4))
            self.perHost = max(1, min(self.capacity, perHost ?? self.capacity / 2))
        }
    }

    private struct Waiter {
        let id: UInt64
        let host: String
        let continuation: CheckedContinuation<Void, any Error>
    }

    public let options: Options
    private var running = 0
    private var byClient: [String: Int] = [:]
    private var byHost: [String: Int] = [:]
    /// Waiters per client, and the clients with waiters in turn order.
    private var queues: [String: [Waiter]] = [:]
    private var turn: [String] = []
    private var nextID: UInt64 = 0

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Waits for a slot for `client` on `host`. Throws `CancellationError` if cancelled while waiting
    /// (nothing is held then). Every successful acquire must be paired with one `release`.
    public func acquire(client: String, host: String) async throws {
        if queues[client] == nil, fits(client: client, host: host) {
            take(client: client, host: host)
            return
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                if queues[client] == nil { turn.append(client) }
                queues[client, default: []].append(Waiter(id: id, host: host, continuation: continuation))
            }
        } onCancel: {
            Task { await self.cancel(id, client: client) }
        }
    }

    /// A slot at once if one is free and nobody of `client` waits; false (nothing held) otherwise —
    /// the caller then waits with `acquire`. Saves the common path the waiting machinery.
    public func tryAcquire(client: String, host: String) -> Bool {
        guard queues[client] == nil, fits(client: client, host: host) else { return false }
        take(client: client, host: host)
        return true
    }

    public func release(client: String, host: String) {
        running -= 1
        decrement(&byClient, client)
        decrement(&byHost, host)
        grant()
    }

    /// Attempts in flight, and clients waiting for a slot (tests, metrics).
    public var inFlight: Int { running }
    public var waitingClients: Int { turn.count }

    private func fits(client: String, host: String) -> Bool {
        running < options.capacity && byClient[client, default: 0] < options.perClient && byHost[host, default: 0] < options.perHost
    }

    private func take(client: String, host: String) {
        running += 1
        byClient[client, default: 0] += 1
        byHost[host, default: 0] += 1
    }

    /// Hands free slots out, each to the waiting client holding the fewest slots (the oldest in turn
    /// among equals): max-min fair, so a client with a long queue never shuts out one with a short
    /// one. A client whose head waiter cannot run (its own or its host's share used) is passed over.
    private func grant() {
        while running < options.capacity {
            var best: Int?
            for (index, client) in turn.enumerated() {
                guard let head = queues[client]?.first, fits(client: client, host: head.host) else { continue }
                if let chosen = best, byClient[turn[chosen], default: 0] <= byClient[client, default: 0] { continue }
                best = index
            }
            guard let index = best else { return }
            let client = turn.remove(at: index)
            var queue = queues[client] ?? []
            let head = queue.removeFirst()
            take(client: client, host: head.host)
            if queue.isEmpty { queues[client] = nil } else { queues[client] = queue; turn.append(client) }
            head.continuation.resume()
        }
    }

    private func cancel(_ id: UInt64, client: String) {
        guard var queue = queues[client], let position = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: position)
        if queue.isEmpty {
            queues[client] = nil
            turn.removeAll { $0 == client }
        } else {
            queues[client] = queue
        }
        waiter.continuation.resume(throwing: CancellationError())
    }

    private func decrement(_ counts: inout [String: Int], _ key: String) {
        let left = counts[key, default: 1] - 1
        counts[key] = left > 0 ? left : nil
    }
}
