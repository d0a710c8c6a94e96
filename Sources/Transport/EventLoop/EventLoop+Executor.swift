import CHTTP
/// The loop is a Swift executor: actors whose `unownedExecutor` is a loop, and tasks started with
/// `Task(executorPreference: loop)`, run their jobs on the loop thread. A continuation resumed from
/// loop code (a read completing a request) then enqueues the waiting job on the same loop, and it
/// runs in the same iteration's work phase: no thread hop, no lock, no eventfd write.
extension EventLoop: SerialExecutor, TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(inEventLoop, "expected to run on event loop \(index)")
    }
}
