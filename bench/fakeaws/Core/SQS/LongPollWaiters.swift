/// Receives waiting for messages: a send wakes as many as it added messages, a timer wakes the
/// rest at their deadline. Whoever removes a waiter resumes it, so each resumes exactly once.
struct LongPollWaiters {
    private var byQueue: [String: [UInt64]] = [:]
    private var continuations: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextID: UInt64 = 0

    mutating func add(queue: String, _ c: CheckedContinuation<Void, Never>) -> UInt64 {
        nextID += 1
        byQueue[queue, default: []].append(nextID)
        continuations[nextID] = c
        return nextID
    }

    /// The waiter, if it is still waiting (the timer path).
    mutating func remove(_ id: UInt64) -> CheckedContinuation<Void, Never>? {
        continuations.removeValue(forKey: id)
    }

    /// Up to `count` waiters of `queue`, oldest first (the send path).
    mutating func take(queue: String, count: Int) -> [CheckedContinuation<Void, Never>] {
        guard var ids = byQueue[queue] else { return [] }
        var out: [CheckedContinuation<Void, Never>] = []
        while out.count < count, !ids.isEmpty {
            if let c = continuations.removeValue(forKey: ids.removeFirst()) { out.append(c) }
        }
        // Ids whose timer already fired are dropped here too.
        ids.removeAll { continuations[$0] == nil }
        byQueue[queue] = ids.isEmpty ? nil : ids
        return out
    }
}
