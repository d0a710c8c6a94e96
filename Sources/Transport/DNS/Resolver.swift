#if canImport(Glibc)
import Glibc
#endif

/// Name resolution that never blocks a loop: numeric hosts are parsed in place, names go to
/// getaddrinfo on a small pool of resolver threads, and answers are cached for `ttl` (getaddrinfo
/// does not expose record TTLs, so one fixed lifetime is used). Thread-safe.
public final class Resolver: Sendable {
    public typealias Completion = @Sendable (Result<[SocketAddress], HTTPClientError>) -> Void

    private struct Job {
        let host: String
        let port: Int
        let completion: Completion
    }

    private struct State {
        var queue: [Job] = []
        var cache: [String: (addresses: [SocketAddress], expiry: UInt64)] = [:]
    }

    public static let shared = Resolver(threads: 2)

    private let state = Locked(State())
    private let ttl: Duration
    private nonisolated(unsafe) let wakeup: UnsafeMutablePointer<sem_t>  // sem_t is itself thread-safe

    public init(threads: Int = 2, ttl: Duration = .seconds(30)) {
        self.ttl = ttl
        wakeup = .allocate(capacity: 1)
        sem_init(wakeup, 0, 0)
        for i in 0..<max(1, threads) {
            _ = PosixThread.spawn(name: "pismo-dns-\(i)") { [self] in self.workerLoop() }
        }
    }

    /// Calls `completion` with the addresses of `host` (on the caller's thread when answered from
    /// the cache or a literal, else on a resolver thread).
    public func resolve(host: String, port: Int, completion: @escaping Completion) {
        if let literal = SocketAddress(numericHost: host, port: port) { return completion(.success([literal])) }
        let now = monotonicNanos()
        let cached = state.withLock { s -> [SocketAddress]? in
            guard let hit = s.cache[host], hit.expiry > now else { return nil }
            return hit.addresses
        }
        if let cached { return completion(.success(cached.map { $0.withPort(port) })) }
        state.withLock { $0.queue.append(Job(host: host, port: port, completion: completion)) }
        sem_post(wakeup)
    }

    private func workerLoop() {
        while true {
            sem_wait(wakeup)
            guard let job = state.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) else { continue }
            let result = Self.lookup(job.host, port: job.port)
            if case .success(let addrs) = result {
                let expiry = monotonicNanos() &+ ttl.nanoseconds
                state.withLock { $0.cache[job.host] = (addrs, expiry) }
            }
            job.completion(result)
        }
    }

    private static func lookup(_ host: String, port: Int) -> Result<[SocketAddress], HTTPClientError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else { return .failure(.dnsFailure(host: host)) }
        defer { freeaddrinfo(first) }
        var out: [SocketAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let sa = n.pointee.ai_addr, [AF_INET, AF_INET6].contains(Int32(sa.pointee.sa_family)) {
                out.append(SocketAddress(raw: sa, length: n.pointee.ai_addrlen))
            }
            node = n.pointee.ai_next
        }
        return out.isEmpty ? .failure(.dnsFailure(host: host)) : .success(out)
    }
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
}
