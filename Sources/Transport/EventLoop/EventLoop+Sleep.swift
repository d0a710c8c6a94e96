extension EventLoop {
    /// `Task.sleep(for:)` on this loop's timer. A task that runs on the loop (task executor
    /// preference) wakes from the loop's own epoll timeout: `Task.sleep` would arm a timer on
    /// Dispatch's thread and resume through a Dispatch worker, two more threads woken per sleep.
    /// Throws `CancellationError` when the task is cancelled, before or during the sleep.
    public func sleep(for duration: Duration) async throws {
        let sleeper = LoopSleeper(loop: self)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if inEventLoop {
                    sleeper.start(continuation, after: duration)
                } else {
                    execute { sleeper.start(continuation, after: duration) }
                }
            }
        } onCancel: {
            // Always submitted, so it runs after `start` whichever thread cancels.
            execute { sleeper.cancel() }
        }
    }
}

/// One sleep: its continuation and timer. Touched only on its loop's thread, which orders `start`
/// and `cancel` (either may come first) and makes the single resume safe without a lock.
private final class LoopSleeper: @unchecked Sendable {
    private let loop: EventLoop
    private var continuation: CheckedContinuation<Void, any Error>?
    private var timer: TimerID?
    private var cancelled = false

    init(loop: EventLoop) { self.loop = loop }

    func start(_ continuation: CheckedContinuation<Void, any Error>, after duration: Duration) {
        if cancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        self.continuation = continuation
        timer = loop.scheduleTimer(after: duration) { [self] in
            timer = nil
            finish(nil)
        }
    }

    func cancel() {
        cancelled = true
        if let timer {
            loop.cancelTimer(timer)
            self.timer = nil
        }
        finish(CancellationError())
    }

    private func finish(_ error: (any Error)?) {
        guard let continuation else { return }
        self.continuation = nil
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}
