#if canImport(Glibc)
import Glibc
#endif

/// Name resolution with deadlines, our own stub resolver (docs/operations.md, "Name resolution").
///
/// In order: numeric hosts are parsed in place; `localhost` and /etc/hosts answer next; then the
/// cache (answers for their TTL within bounds, failures for a short while, LRU-bounded); then a
/// lookup over UDP to the configured nameservers, on this resolver's own event loop, which ends
/// by `configuration.timeout` whatever the servers do. Lookups are bounded in number; callers
/// beyond the bound are refused at once. Give independent traffic (AWS, webhooks) a resolver
/// each, so a tenant's hanging DNS can only ever fill the webhooks' resolver.
///
/// getaddrinfo is not used: it blocks a thread per lookup for as long as the servers take, and
/// hides record TTLs. What it would add over us is NSS (mDNS, LDAP...), which containers do not use.
/// Thread-safe.
public final class Resolver: Sendable {
    public typealias Completion = @Sendable (Result<[SocketAddress], HTTPClientError>) -> Void

    /// The resolver of clients that are given none: the machine's resolv.conf and hosts.
    public static let shared = Resolver()

    public let configuration: Configuration
    private let cache: DNSCache
    private let engine: DNSLookupEngine

    public init(configuration: Configuration = .system()) {
        var configuration = configuration
        if configuration.nameservers.isEmpty { configuration.nameservers = ResolvConf.nameservers(text: "") }
        self.configuration = configuration
        cache = DNSCache(capacity: configuration.cacheCapacity)
        do {
            engine = try DNSLookupEngine(configuration: configuration, cache: cache)
        } catch {
            fatalError("cannot start the resolver's event loop: \(error)")
        }
    }

    /// Stops the resolver's loop and joins its thread, unless the last reference went on that very
    /// thread (inside a lookup's completion), where it can only be asked to stop.
    deinit {
        if engine.loop.inEventLoop { engine.loop.requestStop() } else { engine.loop.syncShutdown() }
    }

    /// Calls `completion` once with the addresses of `host` (IPv4 first), or why there are none:
    /// `dnsFailure` (no such name, no address, or every server failed), `dnsTimeout` (no answer
    /// within the timeout) or `dnsOverloaded` (too many lookups waiting). Runs `completion` on the
    /// caller's thread for a literal, a hosts entry or a cache hit, else on the resolver's loop.
    public func resolve(host: String, port: Int, completion: @escaping Completion) {
        if let literal = SocketAddress(numericHost: host, port: port) { return completion(.success([literal])) }
        let name = Self.normalise(host)
        if let listed = configuration.hosts.addresses(for: name) { return completion(.success(listed.map { $0.withPort(port) })) }
        let withPort: Completion = { result in completion(result.map { $0.map { $0.withPort(port) } }) }
        if let cached = cache.fresh(name, now: configuration.cacheClock()) { return withPort(cached) }
        var probe: [UInt8] = []
        guard (try? DNSMessage.appendName(name, to: &probe)) != nil else { return completion(.failure(.dnsFailure(host: host))) }
        engine.loop.execute { [engine] in engine.lookUp(name, completion: withPort) }
    }

    /// Names compare case-insensitively and without the trailing dot.
    static func normalise(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// Names cached, answers and failures (tests and diagnostics).
    public var cachedNames: Int { cache.count }
}

extension SocketAddress {
    func withPort(_ port: Int) -> SocketAddress {
        var copy = self
        let bigEndianPort = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        // sin_port and sin6_port sit at the same offset (2) in both layouts.
        let offset = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.offset(of: \.sin6_port)! : MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!
        withUnsafeMutableBytes(of: &copy.storage) { $0.storeBytes(of: bigEndianPort, toByteOffset: offset, as: in_port_t.self) }
        return copy
    }

    /// An address from a record's data (4 bytes for A, 16 for AAAA), port 0.
    init?(addressBytes bytes: [UInt8]) {
        storage = sockaddr_storage()
        switch bytes.count {
        case 4:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
        case 16:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
        default:
            return nil
        }
    }
}
