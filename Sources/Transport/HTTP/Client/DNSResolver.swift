import Dispatch
import Glibc
import Synchronization

/// Resolves host names off the event loops (getaddrinfo blocks) on Dispatch's global pool and
/// caches answers for `ttl` (getaddrinfo does not report record TTLs; 30 s keeps AWS endpoint
/// changes visible without a lookup per connection). Numeric hosts never reach DNS. Thread-safe.
public final class DNSResolver: Sendable {
    public static let shared = DNSResolver()

    private struct Entry {
        let addresses: [SocketAddress]
        let expires: ContinuousClock.Instant
    }

    private let cache = Mutex<[String: Entry]>([:])
    private let ttl: Duration

    public init(ttl: Duration = .seconds(30)) {
        self.ttl = ttl
    }

    public func resolve(host: String, port: Int) async throws(HTTPClientError) -> [SocketAddress] {
        if let numeric = SocketAddress(numericHost: host, port: port) { return [numeric] }
        let key = host.lowercased()
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[key] }), cached.expires > now {
            return cached.addresses.map { $0.withPort(port) }
        }
        let found: [SocketAddress] = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.lookup(host)) }
        }
        guard !found.isEmpty else { throw .dnsFailure(host: host) }
        cache.withLock { $0[key] = Entry(addresses: found, expires: now + ttl) }
        return found.map { $0.withPort(port) }
    }

    private static func lookup(_ host: String) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0 else { return [] }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor = result
        while let info = cursor {
            if let addr = info.pointee.ai_addr, info.pointee.ai_family == AF_INET || info.pointee.ai_family == AF_INET6 {
                addresses.append(SocketAddress(raw: addr, length: info.pointee.ai_addrlen))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

extension SocketAddress {
    func withPort(_ port: Int) -> SocketAddress {
        var copy = self
        withUnsafeMutableBytes(of: &copy.storage) { raw in
            // sin_port and sin6_port share offset 2 in both layouts.
            raw.storeBytes(of: UInt16(port).bigEndian, toByteOffset: 2, as: UInt16.self)
        }
        return copy
    }
}
