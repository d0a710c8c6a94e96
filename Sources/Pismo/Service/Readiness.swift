import Synchronization

/// Whether the service should be sent work, for `GET /readyz`: not until its first successful AWS
/// call (`markReady()`), and never again once it starts draining (`markDraining()`, on SIGTERM/SIGINT).
/// Liveness is `/healthz`'s business, not this one's. Thread-safe; the marks are one-way.
public final class Readiness: Sendable {
    public enum State: Sendable { case starting, ready, draining }

    private static let readyFlag: UInt8 = 1, drainingFlag: UInt8 = 2
    /// The flags publish nothing but themselves, so relaxed ordering is enough.
    private let flags = Atomic<UInt8>(0)

    public init() {}

    /// The service has made its first successful AWS call. No effect once draining.
    public func markReady() { flags.bitwiseOr(Self.readyFlag, ordering: .relaxed) }

    /// The service is shutting down: not ready from now on, whatever else happens.
    public func markDraining() { flags.bitwiseOr(Self.drainingFlag, ordering: .relaxed) }

    /// Draining wins over ready.
    public var state: State {
        let flags = flags.load(ordering: .relaxed)
        return flags & Self.drainingFlag != 0 ? .draining : flags & Self.readyFlag != 0 ? .ready : .starting
    }

    /// Marked ready and not draining.
    public var isReady: Bool { state == .ready }
}
