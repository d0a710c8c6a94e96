import Transport

/// `/readyz`: not ready until the service's first successful AWS call, and not ready again once it
/// drains. Thread-safe.
public final class Readiness: Sendable {
    private struct State { var ready = false; var draining = false }
    private let state = Locked(State())

    public init() {}

    public var isReady: Bool { state.withLock { $0.ready && !$0.draining } }
    public func markReady() { state.withLock { $0.ready = true } }
    public func markDraining() { state.withLock { $0.draining = true } }
}
