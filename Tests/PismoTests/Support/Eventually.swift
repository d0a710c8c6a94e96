import Testing
import Transport

/// Bounded waits for the tests: none waits without limit. When the code under test is broken the
/// test fails with `NotWithin` (naming what it waited for, and where) instead of hanging the run.

/// Polls `condition` until it holds; throws `NotWithin` once `limit` has passed without it holding.
/// Polls often at first (1 ms, doubling to 50 ms), so a wait on in-memory fakes costs little more
/// than the condition takes to come true, and a wait on moto does not hammer it.
func eventually(_ what: String, within limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    var pause = Duration.milliseconds(1)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: pause)
        pause = min(pause * 2, .milliseconds(50))
    }
    if try await condition() { return }
    throw NotWithin(description: "not within \(limit): \(what) (\(sourceLocation.fileName):\(sourceLocation.line))")
}

/// Checks `condition` for `period`, throwing `NotWithin` as soon as it stops holding: for "nothing
/// wrong happens meanwhile" (a lease not stolen, a record not delivered twice). It fails fast when
/// the wrong thing happens; when nothing does it takes exactly `period`.
func continually(_ what: String, for period: Duration, every pause: Duration = .milliseconds(5),
                 sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + period
    repeat {
        guard try await condition() else {
            throw NotWithin(description: "stopped holding within \(period): \(what) (\(sourceLocation.fileName):\(sourceLocation.line))")
        }
        try await Task.sleep(for: pause)
    } while ContinuousClock.now < end
    guard try await condition() else {
        throw NotWithin(description: "stopped holding within \(period): \(what) (\(sourceLocation.fileName):\(sourceLocation.line))")
    }
}

struct NotWithin: Error, CustomStringConvertible {
    let description: String
}

/// The value of `task` once it finishes, waiting at most `limit`: past it, cancels the task and
/// throws `NotWithin`. For services and workers that must stop on their own (lease lost, shard
/// ended) or promptly after a shutdown signal; a regression then fails instead of hanging.
func finished<T: Sendable>(_ task: Task<T, Never>, within limit: Duration = .seconds(10), _ what: String = "the task finishes",
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
    let slot = Locked<CheckedContinuation<T?, Never>?>(nil)
    var timer: Task<Void, Never>?
    let value: T? = await withCheckedContinuation { continuation in
        slot.withLock { $0 = continuation }
        Task { let value = await task.value; slot.withLock { $0.take() }?.resume(returning: value) }
        timer = Task { try? await Task.sleep(for: limit); slot.withLock { $0.take() }?.resume(returning: nil) }
    }
    timer?.cancel()
    guard let value else {
        task.cancel()
        throw NotWithin(description: "not within \(limit): \(what) (\(sourceLocation.fileName):\(sourceLocation.line))")
    }
    return value
}
