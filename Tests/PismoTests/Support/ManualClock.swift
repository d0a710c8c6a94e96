import Transport

/// A monotonic clock the test owns: it moves only when someone sleeps on it (or the test advances
/// it). Sleeps cost no real time — they move the clock and yield — so a test can run through
/// minutes of lease time in milliseconds and judge what happened *when* exactly, by this clock.
final class ManualClock: Sendable {
    private let origin = ContinuousClock.now
    private let offset = Locked(Duration.zero)

    var now: ContinuousClock.Instant { origin + offset.withLock { $0 } }
    var nowFunction: @Sendable () -> ContinuousClock.Instant { { [self] in now } }

    func advance(_ duration: Duration) { offset.withLock { $0 += max(.zero, duration) } }

    /// Like `Task.sleep`: throws when the task is cancelled, otherwise moves the clock by `duration`.
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            try Task.checkCancellation()
            advance(duration)
            await Task.yield()
        }
    }

    /// Time since the clock was made.
    var elapsed: Duration { offset.withLock { $0 } }
}
