#if canImport(Glibc)
import Glibc
#endif

/// A truncated UDP answer asked again over TCP (RFC 7766 §5): one connection to the same server,
/// one query with a two-byte length prefix, one response read the same way. It runs inside its
/// lookup's deadline and is closed by its lookup. Loop-confined.
final class DNSTCPQuery: Selectable {
    let server: SocketAddress
    let id: UInt16
    let type: UInt16
    private let fd: Int32
    private let loop: EventLoop
    private var unsent: [UInt8]
    private var received: [UInt8] = []
    private var onResponse: ((DNSTCPQuery, [UInt8]) -> Void)?
    private var onError: ((DNSTCPQuery, String) -> Void)?
    private var isClosed = false

    init(server: SocketAddress, name: String, type: UInt16, loop: EventLoop,
         onResponse: @escaping (DNSTCPQuery, [UInt8]) -> Void, onError: @escaping (DNSTCPQuery, String) -> Void) throws {
        id = UInt16.random(in: 0...UInt16.max)
        let query = try DNSMessage.query(id: id, name: name, type: type)
        unsent = [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query
        self.server = server
        self.type = type
        self.loop = loop
        self.onResponse = onResponse
        self.onError = onError
        fd = try Socket.makeTCP(family: server.family)
        do {
            // Connected or in progress: either way the query goes out when the socket is writable.
            _ = try Socket.connect(fd, server)
            try loop.register(fd, .writable, self)
        } catch {
            Glibc.close(fd)
            isClosed = true
            throw error
        }
    }

    func handleEvents(_ events: UInt32) {
        do {
            if !unsent.isEmpty { try send() } else { try receive() }
        } catch {
            fail("\(error)")
        }
    }

    private func send() throws {
        let refused = Socket.pendingError(fd)
        if refused != 0 { throw SystemError(call: "connect", errno: refused) }
        guard let sent = try unsent.withUnsafeBytes({ bytes throws(SystemError) in try Socket.send(fd, bytes) }) else { return }
        unsent.removeFirst(sent)
        if unsent.isEmpty { try loop.setInterest(fd, .readable) }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !isClosed {
            let outcome = try chunk.withUnsafeMutableBytes { raw throws(SystemError) in try Socket.read(fd, into: raw) }
            switch outcome {
            case .wouldBlock: return
            case .endOfStream: return fail("connection closed before the answer was complete")
            case .bytes(let count):
                received += chunk[0..<count]
                guard received.count >= 2 else { continue }
                let length = 2 + (Int(received[0]) << 8 | Int(received[1]))
                if received.count >= length {
                    let message = Array(received[2..<length])
                    let deliver = onResponse
                    close()
                    return deliver?(self, message) ?? ()
                }
            }
        }
    }

    private func fail(_ why: String) {
        let report = onError
        close()
        report?(self, why)
    }

    func loopStopped() { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        onResponse = nil
        onError = nil
        loop.deregister(fd)
        Glibc.close(fd)
    }
}
