#if canImport(Glibc)
import Glibc
#endif
@testable import Transport

/// One `resolve` call watched from outside: whether it has answered yet, and with what.
final class PendingResolution: @unchecked Sendable {
    private let result = Locked<Result<[SocketAddress], HTTPClientError>?>(nil)
    let startedAt = monotonicNanos()
    private let answered = Locked<UInt64?>(nil)

    init(_ resolver: Resolver, _ host: String, port: Int = 443) {
        resolver.resolve(host: host, port: port) { [self] outcome in
            answered.withLock { $0 = monotonicNanos() }
            result.withLock { $0 = outcome }
        }
    }

    var outcome: Result<[SocketAddress], HTTPClientError>? { result.withLock { $0 } }
    var isAnswered: Bool { outcome != nil }

    /// When the resolver answered (taken in its callback, so a test task that runs late under
    /// load does not shift it): ordering checks compare these, not what the test saw when.
    var answeredAt: UInt64? { answered.withLock { $0 } }

    /// Seconds from the call to its answer.
    var seconds: Double? { answeredAt.map { Double($0 - startedAt) / 1e9 } }

    /// The answer, waiting up to `limit` seconds for it (nil if none came: the test then fails
    /// instead of hanging).
    func wait(upTo limit: Double = 10) async -> Result<[SocketAddress], HTTPClientError>? {
        let end = monotonicNanos() + UInt64(limit * 1e9)
        while monotonicNanos() < end {
            if let outcome { return outcome }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return outcome
    }

    var hosts: [String]? {
        if case .success(let addresses)? = outcome { return addresses.map(\.host) }
        return nil
    }

    var error: HTTPClientError? {
        if case .failure(let error)? = outcome { return error }
        return nil
    }
}

/// The cache's clock, moved only by the test: cached entries expire exactly when it says.
final class TestClock: Sendable {
    private let now = Locked<UInt64>(1_000_000_000_000)

    func read() -> UInt64 { now.withLock { $0 } }
    func advance(_ duration: Duration) { now.withLock { $0 += duration.nanoseconds } }
}

extension Resolver {
    /// A resolver asking only `servers` (loopback test responders), with short deadlines and its
    /// cache on `clock`.
    static func testing(_ servers: [SocketAddress], timeout: Duration = .seconds(2), clock: TestClock = TestClock(),
                        adjust: (inout Configuration) -> Void = { _ in }) -> Resolver {
        var configuration = Configuration(nameservers: servers)
        configuration.timeout = timeout
        configuration.retryInterval = .milliseconds(200)
        configuration.cacheClock = { clock.read() }
        adjust(&configuration)
        return Resolver(configuration: configuration)
    }

    func answer(_ host: String) async -> Result<[SocketAddress], HTTPClientError>? {
        await PendingResolution(self, host).wait()
    }
}
