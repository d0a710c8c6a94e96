import Transport

/// Writes direct-dispatch outcomes to the Events table by group commit: outcomes recorded while a
/// write is pending or lingering join the next BatchWriteItem (up to 25 items each).
///
/// Why linger: the outcome only tells the stream path whether to deliver a parked record, and the
/// stream path waits up to its direct grace (30 s) for it — delivery latency does not depend on it.
/// Waiting `linger` before each write turns one request per event into about one per `linger`
/// under load. The first recorder becomes the writer and writes until nothing is pending, so the
/// task that records last never leaves an outcome behind (its caller's task group waits for it).
/// Thread-safe.
public final class DispatchOutcomeWriter: Sendable {
    private struct State {
        var pending: [(item: EventItem, delivered: Bool)] = []
        var writing = false
    }

    private static let retryPause = Backoff(base: .milliseconds(200), cap: .milliseconds(200), jittered: false)
    private let store: any DispatchOutcomeStore
    private let linger: Duration
    private let state = Locked(State())

    public init(store: any DispatchOutcomeStore, linger: Duration = .milliseconds(100)) {
        self.store = store
        self.linger = linger
    }

    /// Adds outcomes; if no write is under way, this caller writes (everything pending) before returning.
    public func record(_ outcomes: [(item: EventItem, delivered: Bool)]) async {
        let becomeWriter = state.withLock { s -> Bool in
            s.pending += outcomes
            if s.writing { return false }
            s.writing = true
            return true
        }
        guard becomeWriter else { return }
        while true {
            try? await ServiceSleep.sleep(for: linger)
            let batch = state.withLock { s -> [(item: EventItem, delivered: Bool)] in
                let batch = Array(s.pending.prefix(25))
                s.pending.removeFirst(batch.count)
                if batch.isEmpty { s.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            await write(batch)
        }
    }

    /// One retry; if the write still fails, the stream path delivers after its grace period (a
    /// delivered event may then arrive twice): at least once, never lost.
    private func write(_ batch: [(item: EventItem, delivered: Bool)]) async {
        for attempt in 1...2 {
            if attempt > 1 { try? await ServiceSleep.sleep(for: Self.retryPause.delay(attempt: 1)) }
            if (try? await store.markDispatch(batch)) == 0 { return }
        }
    }
}
