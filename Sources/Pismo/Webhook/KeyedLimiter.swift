/// Bounds concurrent work per key (per client) with FIFO waiters. This is what isolates tenants:
/// a client whose endpoint hangs can occupy at most `limit` slots — its own — while every other
/// client keeps its full share.
actor KeyedLimiter {
    private struct Lane {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let limit: Int
    private var lanes: [String: Lane] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire(_ key: String) async {
        var lane = lanes[key, default: Lane()]
        if lane.running < limit {
            lane.running += 1
            lanes[key] = lane
            return
        }
        await withCheckedContinuation { continuation in
            lane.waiters.append(continuation)
            lanes[key] = lane
        }
    }

    /// Takes a slot, queueing only while fewer than `maxWaiters` are already queued for this key;
    /// false (nothing taken) when the queue is that long. Bounds how much one slow key can pile up.
    func acquire(_ key: String, maxWaiters: Int) async -> Bool {
        let lane = lanes[key, default: Lane()]
        if lane.running >= limit, lane.waiters.count - lane.head >= maxWaiters { return false }
        await acquire(key)
        return true
    }

    /// Hands the slot straight to the oldest waiter, or frees it.
    func release(_ key: String) {
        guard var lane = lanes[key] else { return }
        if lane.head < lane.waiters.count {
            let next = lane.waiters[lane.head]
            lane.head += 1
            if lane.head == lane.waiters.count { lane.waiters.removeAll(keepingCapacity: true); lane.head = 0 }
            lanes[key] = lane
            next.resume()
            return
        }
        lane.running -= 1
        if lane.running == 0 { lanes[key] = nil } else { lanes[key] = lane }
    }

    func running(_ key: String) -> Int { lanes[key]?.running ?? 0 }

    /// Callers queued for a slot of `key` (tests and diagnostics).
    func waiting(_ key: String) -> Int { lanes[key].map { $0.waiters.count - $0.head } ?? 0 }
}
