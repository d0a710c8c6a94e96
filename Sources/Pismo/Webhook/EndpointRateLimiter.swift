import Transport

/// Token buckets per endpoint (`rate_per_s`), kept as GCRA: one "theoretical arrival time" per key,
/// so a bucket costs one number and an idle one can be forgotten. A bucket holds one second's worth of
/// tokens (at least one), so a quiet endpoint takes a short burst at once.
///
/// Reservations are granted only for a short wait: the caller sleeps that long (its own endpoint's
/// lane, nobody else's) or, when the backlog is longer, parks the event in the retry queue instead
/// of holding it in memory. Per deliver instance: N instances allow up to N times the rate.
final class EndpointRateLimiter: Sendable {
    private let buckets = Locked<[String: ContinuousClock.Instant]>([:])
    /// Beyond this many buckets, the idle ones (full again) are dropped.
    private let pruneAbove: Int

    init(pruneAbove: Int = 10_000) {
        self.pruneAbove = pruneAbove
    }

    enum Reservation: Equatable {
        /// Go after this long (zero: at once); the token is taken.
        case wait(Duration)
        /// The backlog is longer than `maxWait`: nothing is taken; a token is free in about this long.
        case backlog(Duration)
    }

    func reserve(_ key: String, ratePerSecond: Double, maxWait: Duration, now: ContinuousClock.Instant = .now) -> Reservation {
        let interval = Duration.seconds(1 / ratePerSecond)
        let burst = max(1, ratePerSecond.rounded(.down))
        let tolerance = interval * (burst - 1)
        return buckets.withLock { table in
            let arrival = max(table[key] ?? now, now)
            let wait = max(.zero, arrival - tolerance - now)
            guard wait <= maxWait else { return .backlog(wait) }
            if table.count >= pruneAbove, table[key] == nil { table = table.filter { $0.value > now } }
            table[key] = arrival + interval
            return .wait(wait)
        }
    }

    var bucketCount: Int { buckets.withLock { $0.count } }
}
