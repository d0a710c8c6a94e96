import Foundation

/// Decides, for one webhook attempt's outcome, whether to retry and after how long.
///
/// The contract: 2xx delivered; 408, 429 (honouring Retry-After), 5xx, timeouts and
/// connection errors retried with exponential backoff and full jitter; other 4xx (and 3xx: we never
/// follow redirects) fail after that one attempt. `maxAttempts` counts every attempt, the first included.
public struct DeliveryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public enum Outcome: Sendable, Equatable {
        case status(Int, retryAfter: String?)
        /// No HTTP status was received (timeout, refused, reset, TLS failure).
        case transportError(String)
    }

    public enum Decision: Sendable, Equatable {
        case delivered
        case retry(after: Duration)
        case fail(reason: DeadLetterReason)
    }

    /// `attempt` is the 1-based number of the attempt that produced `outcome`.
    public func decide(_ outcome: Outcome, attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Decision {
        let retryable: Bool
        var floor: Duration = .zero
        switch outcome {
        case let .status(code, retryAfter):
            if (200..<300).contains(code) { return .delivered }
            retryable = code == 408 || code == 429 || (500..<600).contains(code)
            if let retryAfter, code == 429 || code == 503 {
                floor = min(Self.parseRetryAfter(retryAfter) ?? .zero, maxDelay)
            }
            if !retryable { return .fail(reason: DeadLetterReason(.permanent(status: code), "permanent HTTP \(code)")) }
            if attempt >= maxAttempts { return .fail(reason: DeadLetterReason(.attemptsExhausted, "\(attempt) attempts, last: HTTP \(code)")) }
        case let .transportError(message):
            if attempt >= maxAttempts { return .fail(reason: DeadLetterReason(.attemptsExhausted, "\(attempt) attempts, last: \(message)")) }
        }
        return .retry(after: max(floor, backoff(attempt: attempt, random: random)))
    }

    /// The schedule between attempts: full jitter below min(max, base · 2^(attempt−1)).
    public var backoff: Backoff { Backoff(base: baseDelay, cap: maxDelay) }

    public func backoff(attempt: Int, random: (ClosedRange<Double>) -> Double) -> Duration {
        backoff.delay(attempt: attempt, random: { random(0...1) })
    }

    /// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

