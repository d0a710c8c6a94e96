// dns-isolation: how long AWS name lookups take while a tenant's name servers swallow every query.
// Run by bench/dns.sh inside a private network and mount namespace, where 127.0.0.1:53 is the only
// name server (this program's own responder) and /etc/resolv.conf says so: getaddrinfo ("before")
// and our resolver ("after") read the same file and ask the same server. Nothing leaves loopback.
import Foundation
import Glibc
import Transport

func dnsIsolationBenchmark(_ args: [String]) throws {
    let tenantLookups = args.first.flatMap(Int.init) ?? 4
    let manyTenants = args.dropFirst().first.flatMap(Int.init) ?? 200
    let responder = try LoopbackDNSResponder()
    Thread { responder.serve() }.start()

    print("dns-isolation: \(tenantLookups) lookups of one tenant name whose servers never answer, then 5 AWS names (each new)")
    let before = GetaddrinfoOnTwoThreads()
    report("before: getaddrinfo, 2 threads, FIFO", measure(tenant: { before.resolve($0, $1) }, aws: { before.resolve($0, $1) },
                                                              tenantNames: Array(repeating: "hooks.b.hang.test", count: tenantLookups), tag: "b"))
    let shared = Resolver(configuration: .system())
    report("after: one resolver for both", measure(tenant: { shared.resolve(host: $0, port: 443, completion: $1) },
                                                   aws: { shared.resolve(host: $0, port: 443, completion: $1) },
                                                   tenantNames: Array(repeating: "hooks.s.hang.test", count: tenantLookups), tag: "s"))
    let webhooks = Resolver(configuration: .system())
    let aws = Resolver(configuration: .system())
    report("after: a resolver each (as wired)", measure(tenant: { webhooks.resolve(host: $0, port: 443, completion: $1) },
                                                        aws: { aws.resolve(host: $0, port: 443, completion: $1) },
                                                        tenantNames: Array(repeating: "hooks.w.hang.test", count: tenantLookups), tag: "w"))

    print("dns-isolation: \(manyTenants) tenant names (all different) whose servers never answer, then 5 AWS names")
    let shared2 = Resolver(configuration: .system())
    report("after: one resolver for both", measure(tenant: { shared2.resolve(host: $0, port: 443, completion: $1) },
                                                   aws: { shared2.resolve(host: $0, port: 443, completion: $1) },
                                                   tenantNames: (0..<manyTenants).map { "t\($0).s2.hang.test" }, tag: "s2"))
    let webhooks2 = Resolver(configuration: .system())
    let aws2 = Resolver(configuration: .system())
    report("after: a resolver each (as wired)", measure(tenant: { webhooks2.resolve(host: $0, port: 443, completion: $1) },
                                                        aws: { aws2.resolve(host: $0, port: 443, completion: $1) },
                                                        tenantNames: (0..<manyTenants).map { "t\($0).w2.hang.test" }, tag: "w2"))
}

private typealias Lookup = (String, @escaping Resolver.Completion) -> Void

private struct Timings {
    var aws: [Double] = []
    var awsFailures: [String] = []
    var tenant: [Double] = []
    var tenantOutcomes: [String: Int] = [:]
}

/// Starts the tenant's lookups (each event of a tenant asks again), then 5 AWS lookups one after
/// another; returns each AWS lookup's latency and outcome and when the tenant's lookups ended.
private func measure(tenant: Lookup, aws: Lookup, tenantNames: [String], tag: String) -> Timings {
    let timings = Locked(Timings())
    let done = DispatchSemaphore(value: 0)
    let start = Date()
    for name in tenantNames {
        tenant(name) { result in
            timings.withLock {
                $0.tenant.append(Date().timeIntervalSince(start))
                let outcome = switch result {
                case .success: "answered"
                case .failure(.dnsFailure): "dnsFailure"
                case .failure(.dnsTimeout): "dnsTimeout"
                case .failure(.dnsOverloaded): "dnsOverloaded"
                case .failure(let error): "\(error)"
                }
                $0.tenantOutcomes[outcome, default: 0] += 1
            }
            done.signal()
        }
    }
    usleep(100_000)   // the tenant's lookups are queued or asking first, as when its events came first
    for i in 0..<5 {
        let asked = Date()
        let answered = DispatchSemaphore(value: 0)
        aws("dynamodb\(i).\(tag).aws.test") { result in
            timings.withLock {
                $0.aws.append(Date().timeIntervalSince(asked))
                if case .failure(let error) = result { $0.awsFailures.append("\(error)") }
            }
            answered.signal()
        }
        answered.wait()
    }
    for _ in tenantNames { done.wait() }
    return timings.withLock { $0 }
}

private func report(_ label: String, _ t: Timings) {
    let aws = t.aws.sorted()
    func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
    let outcomes = t.tenantOutcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    print("  \(label): AWS lookups median \(ms(aws[aws.count / 2])), max \(ms(aws.last!)), \(5 - t.awsFailures.count)/5 answered"
          + (t.awsFailures.isEmpty ? "" : " (\(t.awsFailures[0]))")
          + "; tenant lookups ended after \(ms(t.tenant.min()!))…\(ms(t.tenant.max()!)): \(outcomes)")
}

/// The resolver Pismo had before issue 15, re-created for comparison: getaddrinfo on two worker
/// threads fed by one unbounded first-in-first-out queue, no timeout of its own, failures not cached.
private final class GetaddrinfoOnTwoThreads: @unchecked Sendable {
    private let queue = Locked<[(String, Resolver.Completion)]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    init() {
        for _ in 0..<2 { Thread { [self] in work() }.start() }
    }

    func resolve(_ host: String, _ completion: @escaping Resolver.Completion) {
        queue.withLock { $0.append((host, completion)) }
        wakeup.signal()
    }

    private func work() {
        while true {
            wakeup.wait()
            guard let (host, completion) = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, "443", &hints, &list)
            if let list { freeaddrinfo(list) }
            completion(rc == 0 ? .success([]) : .failure(.dnsFailure(host: host)))
        }
    }
}

/// A name server on 127.0.0.1:53 that swallows every query under hang.test and answers any other
/// A query with 127.0.0.1 (TTL 0) and any other type with no records.
private final class LoopbackDNSResponder: @unchecked Sendable {
    private let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(53).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { throw SystemError(call: "bind 127.0.0.1:53 (run through bench/dns.sh)", errno: errno) }
    }

    func serve() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
                }
            }
            guard n > 12, let reply = Self.reply(to: Array(buffer[0..<n])) else { continue }
            _ = reply.withUnsafeBytes { bytes in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, length) }
                }
            }
        }
    }

    /// The question is copied back; one A record points at it by compression (offset 12).
    private static func reply(to query: [UInt8]) -> [UInt8]? {
        var offset = 12
        var labels: [String] = []
        while offset < query.count, query[offset] != 0 {
            let length = Int(query[offset])
            guard length < 64, offset + 1 + length < query.count else { return nil }
            labels.append(String(decoding: query[(offset + 1)...(offset + length)], as: UTF8.self).lowercased())
            offset += 1 + length
        }
        guard offset + 5 <= query.count else { return nil }
        if labels.suffix(2) == ["hang", "test"] { return nil }
        let question = query[12...(offset + 4)]
        let isA = query[offset + 1] == 0 && query[offset + 2] == 1
        var out = Array(query[0..<2]) + [0x81, 0x80, 0, 1, 0, isA ? 1 : 0, 0, 0, 0, 0] + question
        if isA { out += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 127, 0, 0, 1] }
        return out
    }
}
