#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Transport

/// A DNS server on 127.0.0.1 (kernel-chosen port, UDP and TCP) that answers each query as its
/// script says: zero datagrams (it swallows the query, like a tenant's dead name servers), one, or
/// several (a spoofed one before the real one); over TCP the first reply is sent. Counts the
/// queries it got per name. Loopback only.
final class ScriptedDNSServer: @unchecked Sendable {
    struct Query: Sendable {
        let id: UInt16
        let name: String
        let type: UInt16
        var overTCP = false
    }

    let port: Int
    var address: SocketAddress { SocketAddress(numericHost: "127.0.0.1", port: port)! }
    private let fd: Int32
    private let tcpListener: Int32
    private let script: @Sendable (Query) -> [[UInt8]]
    private let counts = Locked<[String: Int]>([:])
    private let stopped = Locked(false)
    private let done = DispatchSemaphore(value: 0)

    private init(script: @escaping @Sendable (Query) -> [[UInt8]]) {
        self.script = script
        // One port for both: the TCP listener's kernel-chosen port, then UDP on the same number
        // (tried again with a new port in the rare case that number is taken for UDP).
        for _ in 0..<50 {
            let listener = try! Socket.listener(SocketAddress(numericHost: "127.0.0.1", port: 0)!, backlog: 8)
            let chosen = try! Socket.localAddress(listener).port
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            if SocketAddress(numericHost: "127.0.0.1", port: chosen)!.withSockaddr({ Glibc.bind(udp, $0, $1) }) == 0 {
                (fd, tcpListener, port) = (udp, listener, chosen)
                return
            }
            close(udp)
            close(listener)
        }
        fatalError("no port free for both UDP and TCP on 127.0.0.1")
    }

    /// A server already serving.
    convenience init(_ script: @escaping @Sendable (Query) -> [[UInt8]]) {
        self.init(script: script)
        Thread { [self] in serve() }.start()
    }

    /// Queries received for `name` (A and AAAA each count).
    func queries(for name: String) -> Int { counts.withLock { $0[name, default: 0] } }

    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
        close(fd)
        close(tcpListener)
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.withLock({ $0 }) {
            var ready = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: tcpListener, events: Int16(POLLIN), revents: 0)]
            guard poll(&ready, 2, 50) > 0 else { continue }
            if ready[1].revents != 0, let connection = try? Socket.accept(tcpListener) { serveTCP(connection) }
            guard ready[0].revents != 0 else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &peerLength) }
                }
            }
            guard n > 0, let message = try? DNSMessage.decode(Array(buffer[0..<n])), let question = message.questions.first else { continue }
            let query = Query(id: message.id, name: question.name, type: question.type)
            counts.withLock { $0[query.name, default: 0] += 1 }
            for reply in script(query) {
                _ = reply.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, peerLength) }
                    }
                }
            }
        }
        done.signal()
    }

    /// One length-prefixed query in, the script's first reply out (blocking, 2 s at most).
    private func serveTCP(_ connection: Int32) {
        defer { close(connection) }
        _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while bytes.count < 2 || bytes.count < 2 + (Int(bytes[0]) << 8 | Int(bytes[1])) {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            bytes += chunk[0..<n]
        }
        guard let message = try? DNSMessage.decode(Array(bytes[2...])), let question = message.questions.first else { return }
        let query = Query(id: message.id, name: question.name, type: question.type, overTCP: true)
        counts.withLock { $0[query.name, default: 0] += 1 }
        guard let reply = script(query).first else { return }
        let framed = [UInt8(reply.count >> 8), UInt8(reply.count & 0xFF)] + reply
        _ = framed.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// Builds DNS responses for the scripted server (no name compression: the decoder's handling
/// of compression is tested on hand-written bytes in DNSMessageTests).
enum DNSReply {
    struct Record {
        var name: String
        var type: UInt16
        var ttl: UInt32
        var data: [UInt8]

        static func a(_ name: String, _ address: String, ttl: UInt32) -> Record {
            Record(name: name, type: DNSType.a, ttl: ttl, data: address.split(separator: ".").map { UInt8($0)! })
        }

        static func aaaa(_ name: String, _ lastByte: UInt8, ttl: UInt32) -> Record {
            Record(name: name, type: DNSType.aaaa, ttl: ttl, data: Array(repeating: 0, count: 15) + [lastByte])
        }

        static func cname(_ name: String, _ target: String, ttl: UInt32) -> Record {
            var data: [UInt8] = []
            try! DNSMessage.appendName(target, to: &data)
            return Record(name: name, type: DNSType.cname, ttl: ttl, data: data)
        }

        /// An SOA whose negative-caching lifetime is min(ttl, minimum).
        static func soa(_ zone: String, ttl: UInt32, minimum: UInt32) -> Record {
            var data: [UInt8] = []
            try! DNSMessage.appendName("ns." + zone, to: &data)
            try! DNSMessage.appendName("admin." + zone, to: &data)
            for value in [UInt32(1), 3600, 600, 86400, minimum] { data.appendBigEndian(value) }
            return Record(name: zone, type: DNSType.soa, ttl: ttl, data: data)
        }
    }

    static func response(id: UInt16, name: String, type: UInt16, code: UInt8 = 0, truncated: Bool = false,
                         answers: [Record] = [], authority: [Record] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(id)
        out.appendBigEndian(UInt16(0x8180) | (truncated ? 0x0200 : 0) | UInt16(code))   // QR, RD, RA
        out.appendBigEndian(UInt16(1))
        out.appendBigEndian(UInt16(answers.count))
        out.appendBigEndian(UInt16(authority.count))
        out.appendBigEndian(UInt16(0))
        try! DNSMessage.appendName(name, to: &out)
        out.appendBigEndian(type)
        out.appendBigEndian(UInt16(1))
        for record in answers + authority {
            try! DNSMessage.appendName(record.name, to: &out)
            out.appendBigEndian(record.type)
            out.appendBigEndian(UInt16(1))
            out.appendBigEndian(record.ttl)
            out.appendBigEndian(UInt16(record.data.count))
            out += record.data
        }
        return out
    }

    /// The answer to `query` from records of its own type and CNAMEs (nothing else).
    static func answer(_ query: ScriptedDNSServer.Query, _ records: [Record], code: UInt8 = 0, authority: [Record] = []) -> [UInt8] {
        response(id: query.id, name: query.name, type: query.type, code: code,
                 answers: records.filter { $0.type == query.type || $0.type == DNSType.cname }, authority: authority)
    }
}
