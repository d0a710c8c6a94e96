/// Exponential backoff, the one formula every retry in Pismo uses: attempt k (1-based) waits up to
/// `min(cap, base · 2^(k−1))`. With full jitter (AWS's recommendation, and the SDKs' standard mode)
/// the wait is uniform below that ceiling, so callers that failed together do not retry together.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    /// Full jitter when true; the bare ceiling when false (pauses that only slow a loop down).
    public var jittered: Bool

    public init(base: Duration, cap: Duration, jittered: Bool = true) {
        self.base = base
        self.cap = cap
        self.jittered = jittered
    }

    /// The ceiling for attempt `attempt` (1-based): `min(cap, base · 2^(attempt−1))`.
    public func ceiling(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let grown = base * (1 << exponent)
        return grown > cap || grown < .zero ? cap : grown
    }

    /// The wait before the next try after failure number `attempt`. `random` returns a value in [0, 1].
    public func delay(attempt: Int, random: () -> Double = { Double.random(in: 0...1) }) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        return jittered ? ceiling * min(1, max(0, random())) : ceiling
    }
}
