import Foundation

/// The waits before webhook attempts 2…N of the durable retry path (issue 12). A fixed list rather
/// than a formula, because an outage lasts minutes to hours: Svix's `5s,5m,30m,2h,5h,10h,10h`
/// (the default) retries quickly once, then spreads seven attempts over ≈ 27.6 h.
///
/// Pure: it only answers "how long"; the retrier turns that into SQS calls with the two helpers
/// at the bottom of this file.
public struct RetrySchedule: Sendable, Equatable, CustomStringConvertible {
    /// `delays[i]` is the scheduled wait before attempt `i + 2`.
    public let delays: [Duration]

    /// More would be a typo, not a plan: 100 retries already outlast any SQS message retention.
    public static let maxDelays = 100
    /// The longest duration `parseDuration` accepts: ten years.
    public static let maxDurationMilliseconds: Int64 = 3_650 * 86_400_000

    /// Negative delays count as zero. At most `maxDelays` of them (a programming error otherwise:
    /// `parse` and `exponential` stay within it).
    public init(delays: [Duration]) {
        precondition(delays.count <= Self.maxDelays, "a retry schedule has at most \(Self.maxDelays) delays")
        self.delays = delays.map { max($0, .zero) }
    }

    /// Svix's schedule: 8 attempts, the last ≈ 27.6 h after the first.
    public static let standard = RetrySchedule(delays: [
        .seconds(5), .seconds(5 * 60), .seconds(30 * 60), .seconds(2 * 3600),
        .seconds(5 * 3600), .seconds(10 * 3600), .seconds(10 * 3600),
    ])

    /// Every attempt, the first included.
    public var maxAttempts: Int { delays.count + 1 }
    /// The sum of the scheduled delays (no jitter): how long after the first attempt the last is due.
    public var total: Duration { delays.reduce(.zero, +) }
    /// The longest scheduled delay; also the cap on an honoured `Retry-After`.
    public var longestDelay: Duration { delays.max() ?? .zero }

    /// The scheduled (unjittered) wait before `attempt`; zero for attempt 1 (it is never delayed),
    /// nil once attempts are exhausted.
    public func scheduledDelay(beforeAttempt attempt: Int) -> Duration? {
        if attempt <= 1 { return .zero }
        return attempt - 2 < delays.count ? delays[attempt - 2] : nil
    }

    /// The wait before `attempt` (2…`maxAttempts`): the scheduled delay times a factor uniform in
    /// [0.8, 1.2], so endpoints that failed together are not retried together. A `retryAfter` the
    /// endpoint asked for replaces it when longer, capped at `longestDelay` (an endpoint must not
    /// stretch the schedule). Zero for attempt 1; nil when attempts are exhausted (dead-letter).
    /// `random` draws from the range it is given (injectable for tests).
    public func delay(beforeAttempt attempt: Int, retryAfter: Duration? = nil,
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration? {
        guard let scheduled = scheduledDelay(beforeAttempt: attempt) else { return nil }
        if attempt <= 1 { return .zero }
        let factor = min(1.2, max(0.8, random(0.8...1.2)))
        let jittered = Self.roundedToMicroseconds(scheduled * factor)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, longestDelay))
    }

    /// The same, reading `Retry-After` off the failed attempt's outcome: honoured on 429 and 503
    /// only, as `DeliveryPolicy` does.
    public func delay(beforeAttempt attempt: Int, after outcome: DeliveryPolicy.Outcome, now: Date = Date(),
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration? {
        var retryAfter: Duration?
        if case let .status(code, header?) = outcome, code == 429 || code == 503 {
            retryAfter = DeliveryPolicy.parseRetryAfter(header, now: now)
        }
        return delay(beforeAttempt: attempt, retryAfter: retryAfter, random: random)
    }

    /// `Duration * Double` goes through a Double of attoseconds and usually lands a few attoseconds
    /// off (0.8 · 297.107 s gives 237.6856 s + 32768 as); whole microseconds make the jitter bounds
    /// exact for every millisecond schedule.
    private static func roundedToMicroseconds(_ d: Duration) -> Duration {
        let (seconds, attoseconds) = d.components
        return .seconds(seconds) + .microseconds(Int64((Double(attoseconds) / 1e12).rounded()))
    }

    /// The form `parse` reads, e.g. `5s,5m,30m,2h,5h,10h,10h` (for logs and `--help`).
    public var description: String { delays.map(Self.format).joined(separator: ",") }

    static func format(_ d: Duration) -> String {
        guard d.components.attoseconds % 1_000_000_000_000_000 == 0 else { return "\(d)" }
        let ms = d.wholeMilliseconds
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where ms != 0 && ms % size == 0 {
            return "\(ms / size)\(unit)"
        }
        return "\(ms)ms"
    }
}

// MARK: - Compatibility with the pre-issue-12 variables

extension RetrySchedule {
    /// The schedule `PISMO_MAX_ATTEMPTS` / `PISMO_RETRY_BASE_MS` / `PISMO_RETRY_MAX_MS` describe, for
    /// deployments that set those and not `PISMO_RETRY_SCHEDULE`.
    ///
    /// Indexing: the first retry (attempt 2) waits `base`, each later one twice the one before, never
    /// more than `max` — the wait before attempt k is `min(max, base · 2^(k−2))`. That is the issue's
    /// "min(max, base·2^(k−1))" with k counted as `Backoff` counts it (the attempt that failed), so
    /// `Backoff.ceiling(attempt: k − 1)` gives the same numbers. Each then gets ±20 % like any schedule.
    /// `maxAttempts` is clamped to 1…`maxDelays + 1` (settings reject larger values first).
    public static func exponential(maxAttempts: Int, base: Duration, max cap: Duration) -> RetrySchedule {
        let count = Swift.min(Swift.max(maxAttempts, 1), maxDelays + 1) - 1
        var delays: [Duration] = []
        var next = Swift.max(base, .zero)
        for _ in 0..<count {
            delays.append(Swift.min(next, cap))
            // Stop doubling at the cap: keeps the arithmetic far from Duration's limits.
            if next < cap { next = next * 2 }
        }
        return RetrySchedule(delays: delays)
    }
}

// MARK: - Parsing `PISMO_RETRY_SCHEDULE` and durations such as `PISMO_DISABLE_AFTER`

extension RetrySchedule {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public enum Problem: Sendable, Equatable {
            /// Nothing between two commas (or no text at all).
            case empty
            /// Not `<whole number><unit>`.
            case malformed
            /// Zero or negative: a retry that is not delayed is just a hot loop.
            case notPositive
            /// A number followed by something other than ms, s, m, h or d.
            case unknownUnit
            /// Does not fit in 64-bit milliseconds.
            case tooLarge
            /// More than `RetrySchedule.maxDelays` delays.
            case tooMany(count: Int)
        }

        /// The offending item, trimmed ("" when empty or for the list as a whole).
        public let item: String
        /// 1-based position in the list; nil for a single duration or the list as a whole.
        public let position: Int?
        public let problem: Problem

        public var description: String {
            let subject = position.map { "item \($0) '\(item)'" } ?? "'\(item)'"
            switch problem {
            case .empty: return position.map { "item \($0) is empty" } ?? "no duration given"
            case .malformed: return "\(subject) is not a whole number followed by a unit (ms, s, m, h, d)"
            case .notPositive: return "\(subject) is not greater than zero"
            case .unknownUnit: return "\(subject) has an unknown unit (use ms, s, m, h or d)"
            case .tooLarge: return "\(subject) is too large"
            case let .tooMany(count): return "\(count) delays, at most \(RetrySchedule.maxDelays)"
            }
        }
    }

    /// Reads `5s,5m,30m,2h,5h,10h,10h`: comma-separated durations, whitespace anywhere around them.
    public static func parse(_ text: String) throws(ParseError) -> RetrySchedule {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        if items.count > maxDelays { throw ParseError(item: "", position: nil, problem: .tooMany(count: items.count)) }
        var delays: [Duration] = []
        for (index, item) in items.enumerated() {
            delays.append(try parseDuration(item, position: index + 1))
        }
        return RetrySchedule(delays: delays)
    }

    /// One positive duration: a whole number and a unit — `ms`, `s`, `m`, `h` or `d` — e.g. `5d`, `90 m`.
    /// Whole numbers only, so `1.5h` is written `90m` and every value is exact.
    public static func parseDuration(_ text: some StringProtocol) throws(ParseError) -> Duration {
        try parseDuration(Substring(text), position: nil)
    }

    private static func parseDuration(_ raw: Substring, position: Int?) throws(ParseError) -> Duration {
        let item = raw.trimmingCharacters(in: .whitespaces)
        func fail(_ problem: ParseError.Problem) -> ParseError { ParseError(item: item, position: position, problem: problem) }
        if item.isEmpty { throw fail(.empty) }
        let negative = item.hasPrefix("-")
        let body = negative ? item.dropFirst() : Substring(item)
        let digits = body.prefix { $0.isASCII && $0.isNumber }
        let unit = body.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        if digits.isEmpty { throw fail(.malformed) }
        let unitMilliseconds: Int64
        switch unit {
        case "ms": unitMilliseconds = 1
        case "s": unitMilliseconds = 1000
        case "m": unitMilliseconds = 60_000
        case "h": unitMilliseconds = 3_600_000
        case "d": unitMilliseconds = 86_400_000
        case _ where unit.isEmpty || unit.allSatisfy(\.isLetter): throw fail(.unknownUnit)
        default: throw fail(.malformed)
        }
        // A zero or negative value is reported as such even when huge.
        if negative || digits.allSatisfy({ $0 == "0" }) { throw fail(.notPositive) }
        guard let number = Int64(digits) else { throw fail(.tooLarge) }
        let (milliseconds, overflow) = number.multipliedReportingOverflow(by: unitMilliseconds)
        // Ten years is past any plan (SQS keeps messages 14 days); beyond it, sums and the ±20 %
        // jitter over a hundred delays would come near Int64 milliseconds.
        if overflow || milliseconds > maxDurationMilliseconds { throw fail(.tooLarge) }
        return .milliseconds(milliseconds)
    }
}

// MARK: - SQS timing (for the retrier)

extension RetrySchedule {
    /// SQS `DelaySeconds` allows 0…900 (15 min).
    public static let sqsMaxDelaySeconds = 900
    /// SQS caps a visibility timeout at 12 h counted from the receive; one second less leaves room
    /// for the time between that receive and our `ChangeMessageVisibility`.
    public static let sqsMaxVisibilitySeconds = 12 * 3600 - 1

    /// The `DelaySeconds` to send a retry with: whole seconds rounded up (a retry may come back a
    /// little late, never early), at most 900. A longer delay is sent with 900 and hidden again on
    /// receive (`visibilityToHide`) until it is due.
    public static func sqsDelaySeconds(for delay: Duration) -> Int {
        min(wholeSecondsRoundedUp(delay), sqsMaxDelaySeconds)
    }

    /// The `ChangeMessageVisibility` timeout for a received retry that is due in `remaining`: whole
    /// seconds rounded up, at most 12 h − 1 s (a longer wait takes several receives; each one counts
    /// toward the queue's `maxReceiveCount`, which the retrier must allow for). 0 means it is due:
    /// attempt it now instead of hiding it.
    public static func visibilityToHide(remaining: Duration) -> Int {
        min(wholeSecondsRoundedUp(remaining), sqsMaxVisibilitySeconds)
    }

    /// Saturates instead of trapping: the callers clamp far below Int.max anyway.
    private static func wholeSecondsRoundedUp(_ d: Duration) -> Int {
        guard d > .zero else { return 0 }
        let (seconds, attoseconds) = d.components
        let (up, overflow) = seconds.addingReportingOverflow(attoseconds > 0 ? 1 : 0)
        return overflow ? Int.max : Int(clamping: up)
    }
}
