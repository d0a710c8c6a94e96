#if canImport(Glibc)
import Glibc
#endif

/// One try of a lookup: a non-blocking UDP socket connected to one nameserver, carrying that try's
/// queries (A and AAAA, each with its own random ID). Loop-confined.
///
/// Against spoofing: a connected UDP socket only receives datagrams from the server's address and
/// port (the kernel drops the rest), the local port is a fresh one the kernel picks at random
/// for every try, and the 16-bit ID and the question must both match what this socket sent.
final class DNSQuerySocket: Selectable {
    let fd: Int32
    let server: SocketAddress
    private let loop: EventLoop
    /// Query ID → record type still awaited on this socket.
    private(set) var awaiting: [UInt16: UInt16] = [:]
    private var onDatagram: ((DNSQuerySocket, [UInt8]) -> Void)?
    private var onError: ((DNSQuerySocket, String) -> Void)?
    private var isClosed = false

    init(server: SocketAddress, loop: EventLoop,
         onDatagram: @escaping (DNSQuerySocket, [UInt8]) -> Void,
         onError: @escaping (DNSQuerySocket, String) -> Void) throws(SystemError) {
        fd = try syscallValue("socket") {
            socket(server.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        self.server = server
        self.loop = loop
        self.onDatagram = onDatagram
        self.onError = onError
        do {
            _ = try Socket.connect(fd, server)   // UDP connect only sets the peer: it never blocks
            try loop.register(fd, .readable, self)
        } catch {
            Glibc.close(fd)
            isClosed = true
            throw error
        }
    }

    /// Sends a query for (`name`, `type`) with a fresh random ID.
    func send(name: String, type: UInt16) throws {
        var id = UInt16.random(in: 0...UInt16.max)
        while awaiting[id] != nil { id = UInt16.random(in: 0...UInt16.max) }
        let query = try DNSMessage.query(id: id, name: name, type: type)
        let sent = try query.withUnsafeBytes { bytes throws(SystemError) in try Socket.send(fd, bytes) }
        guard sent == query.count else { throw SystemError(call: "send", errno: EAGAIN) }
        awaiting[id] = type
    }

    /// The type a response with `id` answers, once: a duplicate of an answered query is ignored.
    @discardableResult
    func claim(_ id: UInt16) -> UInt16? {
        awaiting.removeValue(forKey: id)
    }

    func handleEvents(_ events: UInt32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isClosed {
            let outcome: IOOutcome<Int>
            do {
                outcome = try buffer.withUnsafeMutableBytes { raw throws(SystemError) in
                    try syscall("recv") { recv(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT)) }
                }
            } catch {
                // ECONNREFUSED: an ICMP port unreachable from the server (nothing listens there).
                onError?(self, "\(error)")
                return
            }
            guard case .value(let count) = outcome else { return }
            onDatagram?(self, Array(buffer[0..<count]))
        }
    }

    func loopStopped() { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        onDatagram = nil
        onError = nil
        loop.deregister(fd)
        Glibc.close(fd)
    }
}
