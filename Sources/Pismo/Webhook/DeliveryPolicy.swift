import Foundation

/// Decides, for one webhook attempt's outcome, whether it is delivered, worth another attempt (and
/// after how long), or final.
///
/// The contract: 2xx delivered; 408, 429, 5xx, timeouts and connection errors are retried on the
/// schedule (`RetrySchedule`: a longer Retry-After on 429/503 replaces the scheduled delay, capped at
/// the schedule's longest); other statuses (3xx: redirects are never followed) fail after that one
/// attempt. `maxAttempts` counts every attempt, the first included.
public struct DeliveryPolicy: Sendable, Equatable {
    public var schedule: RetrySchedule

    public init(schedule: RetrySchedule = .standard) {
        self.schedule = schedule
    }

    /// The exponential schedule the PISMO_MAX_ATTEMPTS / _RETRY_BASE_MS / _RETRY_MAX_MS variables describe.
    public init(maxAttempts: Int, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
        self.init(schedule: .exponential(maxAttempts: maxAttempts, base: baseDelay, max: maxDelay))
    }

    public var maxAttempts: Int { schedule.maxAttempts }

    public enum Outcome: Sendable, Equatable {
        case status(Int, retryAfter: String?)
        /// No HTTP status was received (timeout, refused, reset, TLS failure).
        case transportError(String)
        /// Not sent: the destination guard refused the URL (the error's text names rule and address).
        case refused(String)

        /// The circuit breaker and the route's health count only attempts that reached the network:
        /// a refusal is our own configuration speaking, and opening the circuit on it would park the
        /// client's events in the retry queue instead of dead-lettering them at once.
        public var isRefusal: Bool { if case .refused = self { true } else { false } }
    }

    public enum Decision: Sendable, Equatable {
        case delivered
        case retry(after: Duration)
        case fail(reason: DeadLetterReason)
    }

    /// `attempt` is the 1-based number of the attempt that produced `outcome`.
    public func decide(_ outcome: Outcome, attempt: Int, now: Date = Date(),
                       random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Decision {
        let last: String
        switch outcome {
        case let .status(code, _):
            if (200..<300).contains(code) { return .delivered }
            guard code == 408 || code == 429 || (500..<600).contains(code) else {
                return .fail(reason: DeadLetterReason(.permanent(status: code), "permanent HTTP \(code)"))
            }
            last = "HTTP \(code)"
        case let .transportError(message):
            last = message
        case let .refused(message):
            // Permanent: only a new route or allow list changes the answer, and retrying a name
            // until it resolves somewhere allowed would invite the rebinding the guard prevents.
            return .fail(reason: DeadLetterReason(.destinationRefused, message))
        }
        guard let delay = schedule.delay(beforeAttempt: attempt + 1, after: outcome, now: now, random: random) else {
            return .fail(reason: DeadLetterReason(.attemptsExhausted, "\(attempt) attempts, last: \(last)"))
        }
        return .retry(after: delay)
    }

    /// Longer than any schedule could honour (they cap it at their longest delay anyway): keeps the
    /// arithmetic on an endpoint's answer far from overflow.
    static let longestRetryAfter = Duration.seconds(366 * 86_400)

    /// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3); clamped to a year.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Any run of digits, however long, is a (long) delay: no Int overflow to reject it on.
            guard let seconds = Int(trimmed) else { return longestRetryAfter }
            return min(.seconds(seconds), longestRetryAfter)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let seconds = date.timeIntervalSince(now)
        guard seconds.isFinite else { return nil }
        return .milliseconds(Int64(min(max(0, seconds), longestRetryAfter.seconds) * 1000))
    }
}

