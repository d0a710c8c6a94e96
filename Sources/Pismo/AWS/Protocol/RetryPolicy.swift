import Transport

/// The SDKs' "standard" retry mode: `maxAttempts` total attempts (default 3, `AWS_MAX_ATTEMPTS`),
/// full-jitter exponential backoff `rand(0,1) * min(base * 2^(attempt-1), maxBackoff)` with base 1 s and
/// cap 20 s, and a shared retry quota so a sick service is not hammered by every caller at once.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxBackoff: Duration
    /// Injectable for tests: returns a value in [0, 1).
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 3, baseDelay: Duration = .seconds(1), maxBackoff: Duration = .seconds(20),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.random = random
    }

    /// Reads `AWS_MAX_ATTEMPTS` when set to a positive integer.
    public static func standard(environment: AWSEnvironment) -> RetryPolicy {
        RetryPolicy(maxAttempts: environment["AWS_MAX_ATTEMPTS"].flatMap(Int.init) ?? 3)
    }

    /// Delay before retry number `retry` (1 = the first retry).
    public func backoff(retry: Int) -> Duration {
        Backoff(base: baseDelay, cap: maxBackoff).delay(attempt: retry, random: random)
    }
}

/// Retry quota (token bucket) shared by all clients of one process: capacity 500; a retry costs 5,
/// a retry after a timeout 10; a success without retry refunds 1, a success after retries refunds
/// what the last retry cost. Empty bucket ⇒ no more retries (fail fast) until successes refill it.
public final class RetryQuota: Sendable {
    public static let capacity = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10
    public static let successRefund = 1

    private let tokens: Locked<Int>

    public init(initial: Int = RetryQuota.capacity) { tokens = Locked(min(initial, Self.capacity)) }

    public var available: Int { tokens.withLock { $0 } }

    /// Takes the cost of one retry; nil when the bucket cannot pay (no retry).
    public func acquire(afterTimeout: Bool) -> Int? {
        let cost = afterTimeout ? Self.timeoutRetryCost : Self.retryCost
        return tokens.withLock { t in
            guard t >= cost else { return nil }
            t -= cost
            return cost
        }
    }

    /// Records a success: `lastRetryCost` is what the final retry took, nil for a first-attempt success.
    public func release(lastRetryCost: Int?) {
        tokens.withLock { t in t = min(Self.capacity, t + (lastRetryCost ?? Self.successRefund)) }
    }
}
