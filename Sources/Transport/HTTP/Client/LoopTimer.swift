/// A cancellable one-shot timer of the client, on its pool's loop (wraps the loop's `TimerID`).
/// Loop-confined: create and cancel it on the loop thread.
struct LoopTimer {
    let loop: EventLoop
    let id: TimerID

    func cancel() { loop.cancelTimer(id) }
}

extension EventLoop {
    /// Schedules `body` at an absolute monotonic deadline (the client keeps deadlines, not delays,
    /// so a request's timeout covers queueing, connecting and the exchange alike).
    func scheduleOnLoop(deadline: UInt64, _ body: @escaping () -> Void) -> LoopTimer {
        let now = MonotonicClock.now()
        let delay: Duration = deadline > now ? .nanoseconds(Int64(clamping: deadline - now)) : .zero
        return LoopTimer(loop: self, id: scheduleTimer(after: delay, body))
    }
}

@inline(__always)
func monotonicNanos() -> UInt64 { MonotonicClock.now() }

extension Duration {
    var nanoseconds: UInt64 { MonotonicClock.nanoseconds(self) }
}
