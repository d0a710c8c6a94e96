import Transport

/// How the services wait (heartbeats, lingers, backoffs, poll pauses): on the timer of the event
/// loop the caller runs on (`Runtime.onEventLoop`), else `Task.sleep`. A `Task.sleep` woke two
/// Dispatch threads and then the loop; the processor did that about once per received batch.
/// Throws `CancellationError` when the task is cancelled, like `Task.sleep`.
public enum ServiceSleep {
    public static func sleep(for duration: Duration) async throws {
        if let loop = EventLoopGroup.shared.currentLoop {
            try await loop.sleep(for: duration)
        } else {
            try await Task.sleep(for: duration)
        }
    }
}
