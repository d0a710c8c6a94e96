/// Runs `operation` until it succeeds, waiting `backoff` between failures. Used where giving up would
/// lose something (a valid event, a dead letter) and the only way out is cancellation, which is
/// rethrown at once: the caller then leaves its work unresolved for another try later.
///
/// `onFailure` sees each error with its 1-based failure count before the wait (to log, count, or
/// keep a message invisible); it may throw to stop retrying.
public func retryUntilDone<T: Sendable>(
    backoff: Backoff,
    sleep: @Sendable (Duration) async throws -> Void,
    onFailure: (_ error: any Error, _ failures: Int) async throws -> Void = { _, _ in },
    _ operation: () async throws -> T
) async throws -> T {
    var failures = 0
    while true {
        do {
            return try await operation()
        } catch {
            if error is CancellationError { throw error }
            try Task.checkCancellation()
            failures += 1
            try await onFailure(error, failures)
            try await sleep(backoff.delay(attempt: failures))
        }
    }
}
