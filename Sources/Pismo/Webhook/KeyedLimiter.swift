/// Bounds concurrent work per key (per client) with FIFO waiters. This is what isolates tenants:
/// a client whose endpoint hangs can occupy at most `limit` slots — its own — while every other
/// client keeps its full share.
///
/// Beyond `maxWaiters` queued callers, a caller may still wait in the lane's *backlog* while the
/// lane is moving and the backlog is one the lane works through within `patience` at the pace it
/// delivered at lately (any backlog during the first `patience` after the lane opened) — and for at
/// most `patience` itself; then it is let go (false) and the caller parks its job. A fast client
/// with a burst (a stream page) is worked through in memory, while a hanging one has everything
/// beyond `limit + maxWaiters` parked within `patience` (at once after that), and a crawling one
/// has parked what it could not deliver within `patience`.
actor KeyedLimiter {
    private struct Waiter {
        let continuation: CheckedContinuation<Bool, Never>
        /// Backlog waiters only: when they give up.
        let deadline: ContinuousClock.Instant?
    }

    /// A class, so the waiters array is changed in place (as a dictionary's struct value every change
    /// copied the whole queue: the top entry of deliver's profile once a page waited in it).
    private final class Lane {
        var running = 0
        /// FIFO; nil where a backlog waiter gave up.
        var waiters: [Waiter?] = []
        var head = 0
        var waiting = 0
        var backlog = 0
        let openedAt: ContinuousClock.Instant
        /// Deliveries (slots released after one) in the current window of `patience` and the one before.
        var windowStart: ContinuousClock.Instant
        var deliveredNow = 0
        var deliveredBefore = 0
        var sweeping = false

        init(now: ContinuousClock.Instant) {
            openedAt = now
            windowStart = now
        }

        /// How many may wait in the backlog: what the lane delivered in a recent window of `patience`.
        func backlogAllowance(now: ContinuousClock.Instant, patience: Duration) -> Int {
            if now - openedAt < patience { return .max }
            let elapsed = now - windowStart
            if elapsed >= patience {
                deliveredBefore = elapsed < patience * 2 ? deliveredNow : 0
                deliveredNow = 0
                windowStart = now
            }
            return max(deliveredBefore, deliveredNow)
        }
    }

    private let limit: Int
    private var lanes: [String: Lane] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire(_ key: String) async {
        _ = await enqueue(key, deadline: nil)
    }

    /// Takes a slot, queueing only while fewer than `maxWaiters` are already queued for this key —
    /// or, with a `patience`, in the backlog while the lane moves (see the type); false (nothing
    /// taken) otherwise. Bounds how much one slow key can pile up.
    func acquire(_ key: String, maxWaiters: Int, patience: Duration? = nil) async -> Bool {
        guard let lane = lanes[key], lane.running >= limit, lane.waiting >= maxWaiters else { return await enqueue(key, deadline: nil) }
        guard let patience, patience > .zero else { return false }
        let now = ContinuousClock.now
        let allowance = lane.backlogAllowance(now: now, patience: patience)
        guard lane.backlog < allowance else { return false }
        return await enqueue(key, deadline: now + patience)
    }

    private func enqueue(_ key: String, deadline: ContinuousClock.Instant?) async -> Bool {
        let lane = lanes[key] ?? Lane(now: .now)
        if lane.running < limit {
            lane.running += 1
            lanes[key] = lane
            return true
        }
        return await withCheckedContinuation { continuation in
            lane.waiters.append(Waiter(continuation: continuation, deadline: deadline))
            lane.waiting += 1
            if deadline != nil { lane.backlog += 1 }
            let sweep = deadline != nil && !lane.sweeping
            if sweep { lane.sweeping = true }
            lanes[key] = lane  // new lanes only; an existing one was changed in place
            if sweep { Task { await self.sweep(key) } }
        }
    }

    /// Hands the slot straight to the oldest waiter, or frees it. `delivered`: the slot's work went
    /// through, so the lane moves (a hang or a timeout is no sign of it).
    func release(_ key: String, delivered: Bool = false) {
        guard let lane = lanes[key] else { return }
        if delivered { lane.deliveredNow += 1 }
        while lane.head < lane.waiters.count {
            let next = lane.waiters[lane.head]
            lane.head += 1
            guard let next else { continue }
            lane.waiting -= 1
            if next.deadline != nil { lane.backlog -= 1 }
            compact(lane)
            next.continuation.resume(returning: true)
            return
        }
        compact(lane)
        lane.running -= 1
        if lane.running == 0 { lanes[key] = nil }
    }

    /// Lets backlog waiters past their deadline go, until the lane has no backlog. One task per lane
    /// with a backlog; it sleeps until the oldest backlog waiter's deadline.
    private func sweep(_ key: String) async {
        while true {
            guard let lane = lanes[key], lane.backlog > 0 else {
                lanes[key]?.sweeping = false
                return
            }
            let now = ContinuousClock.now
            var next: ContinuousClock.Instant?
            for index in lane.head..<lane.waiters.count {
                guard let waiter = lane.waiters[index], let deadline = waiter.deadline else { continue }
                if deadline <= now {
                    lane.waiters[index] = nil
                    lane.waiting -= 1
                    lane.backlog -= 1
                    waiter.continuation.resume(returning: false)
                } else {
                    next = next.map { min($0, deadline) } ?? deadline
                }
            }
            guard let next else { continue }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    /// Drops served entries: all of them when none is left, else once they are most of the array (a
    /// lane that stays busy never empties its queue).
    private func compact(_ lane: Lane) {
        if lane.head == lane.waiters.count {
            lane.waiters.removeAll(keepingCapacity: true)
            lane.head = 0
        } else if lane.head > 1024, lane.head * 2 > lane.waiters.count {
            lane.waiters.removeFirst(lane.head)
            lane.head = 0
        }
    }

    func running(_ key: String) -> Int { lanes[key]?.running ?? 0 }

    /// Callers queued for a slot of `key`, backlog included (tests and diagnostics).
    func waiting(_ key: String) -> Int { lanes[key]?.waiting ?? 0 }
}
