extension EventLoop {
    /// `Task.sleep(for:)` on this loop's timer. A task that runs on the loop (task executor
    /// preference) wakes from the loop's own epoll timeout: `Task.sleep` would arm a timer on
    /// Dispatch's thread and resume through a Dispatch worker, two more threads woken per sleep.
    /// Throws `CancellationError` when the task is cancelled, before or during the sleep, and when
    /// the loop stops (its timers will never fire).
    public func sleep(for duration: Duration) async throws {
        let sleeper = LoopSleeper(loop: self)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if inEventLoop {
                    sleeper.start(continuation, after: duration)
                } else if !executeIfRunning({ sleeper.start(continuation, after: duration) }) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            // Always submitted, so it runs after `start` whichever thread cancels. A stopped loop
            // has already ended the sleep.
            _ = executeIfRunning { sleeper.cancel() }
        }
    }
}

/// One sleep: its continuation, timer and stop observer. Touched only on its loop's thread, which
/// orders `start`, the timer, `cancel` and the loop's stop (any may come first) and makes the
/// single resume safe without a lock.
private final class LoopSleeper: @unchecked Sendable {
    private let loop: EventLoop
    private var continuation: CheckedContinuation<Void, any Error>?
    private var timer: TimerID?
    private var stopObserver: UInt64?
    private var cancelled = false

    init(loop: EventLoop) { self.loop = loop }

    func start(_ continuation: CheckedContinuation<Void, any Error>, after duration: Duration) {
        self.continuation = continuation
        guard !cancelled, let observer = loop.addStopObserver({ [self] in
            stopObserver = nil
            end(CancellationError())
        }) else {
            end(CancellationError())
            return
        }
        stopObserver = observer
        timer = loop.scheduleTimer(after: duration) { [self] in
            timer = nil
            end(nil)
        }
    }

    func cancel() {
        cancelled = true
        end(CancellationError())
    }

    /// Resumes the sleeper once, and lets go of whatever of its timer and observer is still armed.
    private func end(_ error: (any Error)?) {
        if let timer {
            loop.cancelTimer(timer)
            self.timer = nil
        }
        if let stopObserver {
            loop.removeStopObserver(stopObserver)
            self.stopObserver = nil
        }
        guard let continuation else { return }
        self.continuation = nil
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}
