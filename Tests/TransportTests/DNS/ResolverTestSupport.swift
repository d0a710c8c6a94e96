#if canImport(Glibc)
import Glibc
#endif
@testable import Transport

/// One `resolve` call watched from outside: whether it has answered yet, and with what.
final class PendingResolution: @unchecked Sendable {
    private let result = Locked<Result<[SocketAddress], HTTPClientError>?>(nil)
    let startedAt = monotonicNanos()
    private let answeredAt = Locked<UInt64?>(nil)

    init(_ resolver: Resolver, _ host: String, port: Int = 443) {
        resolver.resolve(host: host, port: port) { [self] outcome in
            answeredAt.withLock { $0 = monotonicNanos() }
            result.withLock { $0 = outcome }
        }
    }

    var outcome: Result<[SocketAddress], HTTPClientError>? { result.withLock { $0 } }
    var isAnswered: Bool { outcome != nil }

    /// Seconds from the call to its answer.
    var seconds: Double? { answeredAt.withLock { $0 }.map { Double($0 - startedAt) / 1e9 } }

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

extension Resolver {
    /// A resolver asking only `servers` (loopback test responders), with short bounds.
    static func testing(_ servers: [SocketAddress], timeout: Duration = .seconds(2),
                        adjust: (inout Configuration) -> Void = { _ in }) -> Resolver {
        var configuration = Configuration(nameservers: servers)
        configuration.timeout = timeout
        configuration.retryInterval = .milliseconds(200)
        adjust(&configuration)
        return Resolver(configuration: configuration)
    }

    func answer(_ host: String) async -> Result<[SocketAddress], HTTPClientError>? {
        await PendingResolution(self, host).wait()
    }
}
