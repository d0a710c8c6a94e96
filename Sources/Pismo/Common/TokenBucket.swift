/// Paces something costly to `rate` per second with bursts up to `burst`. A caller *reserves* the
/// next token and is told how long to wait for it, so waiters are served in order and the pace
/// holds however many arrive at once. A value on an explicit clock (the caller passes `now`): pure
/// and testable; keep it behind a lock.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant?

    public init(rate: Double, burst: Int) {
        self.rate = rate.isFinite ? max(rate, 0.001) : 1_000_000
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
    }

    /// Takes one token; returns how long the caller must wait before using it (zero while the burst
    /// lasts). Tokens owed by earlier reservations make later waits longer.
    public mutating func reserve(at now: ContinuousClock.Instant) -> Duration {
        refill(now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        // Capped so a pathological backlog cannot overflow the conversion (a day is far past any wait).
        return .milliseconds(Int64(min(-tokens / rate, 86_400) * 1000))
    }

    /// Takes a token only if one is free now.
    public mutating func tryTake(at now: ContinuousClock.Instant) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        if let updated, now > updated {
            tokens = min(burst, tokens + (now - updated).seconds * rate)
        }
        updated = max(updated ?? now, now)
    }
}
