import Glibc
import Testing
import Transport
import TransportTesting

/// The engine's zero-copy entry points against real non-blocking sockets: `recv` lands directly in
/// the inbound ring (`fillCiphertext`) and `send` reads directly from the outbound ring
/// (`drainCiphertext`), as the event loop will use them.
@Suite struct TLSSocketPairTests {
    /// One engine bound to one non-blocking socket end.
    final class Endpoint {
        let tls: TLSConnection
        let fd: Int32
        var sawEOF = false

        init(_ tls: TLSConnection, _ fd: Int32) {
            self.tls = tls
            self.fd = fd
        }

        /// Sends what the engine produced, then receives what the socket holds.
        func service() {
            _ = tls.drainCiphertext { chunk in max(0, Glibc.send(fd, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL))) }
            while !sawEOF {
                var result = 0
                let stored = tls.fillCiphertext { space in
                    result = recv(fd, space.baseAddress, space.count, 0)
                    return max(0, result)
                }
                if stored > 0 { continue }
                if result == 0 && tls.inboundCiphertextSpace > 0 {
                    sawEOF = true
                    tls.receivedEOF()
                }
                return
            }
        }
    }

    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw TLSError(.configuration, "socketpair failed") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    static func endpoints(_ pki: TLSTestPKI) throws -> (client: Endpoint, server: Endpoint) {
        let contexts = try TLSEngineTests.contexts(pki)
        let (a, b) = try socketPair()
        return (
            Endpoint(try TLSConnection(client: contexts.client, serverName: "localhost"), a),
            Endpoint(try TLSConnection(server: contexts.server), b)
        )
    }

    @Test func handshakeAndTransferOverASocketPair() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (client, server) = try Self.endpoints(pki)
        defer { close(client.fd); close(server.fd) }
        for _ in 0..<100 where !(client.tls.isHandshakeComplete && server.tls.isHandshakeComplete) {
            _ = try client.tls.handshake()
            client.service()
            _ = try server.tls.handshake()
            server.service()
        }
        #expect(client.tls.isHandshakeComplete && server.tls.isHandshakeComplete)

        let payload = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        for _ in 0..<10_000 where received.count < payload.count {
            if sent < payload.count,
                case .bytes(let count) = try payload.withUnsafeBytes({ try client.tls.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) })
            {
                sent += count
            }
            client.service()
            server.service()
            while case .bytes(let count) = try buffer.withUnsafeMutableBytes({ try server.tls.read(into: $0) }), count > 0 {
                received += buffer[..<count]
            }
        }
        #expect(received == payload)
    }

    @Test func closeNotifyThenSocketCloseIsACleanEnd() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (client, server) = try Self.endpoints(pki)
        defer { close(server.fd) }
        for _ in 0..<100 where !(client.tls.isHandshakeComplete && server.tls.isHandshakeComplete) {
            _ = try client.tls.handshake()
            client.service()
            _ = try server.tls.handshake()
            server.service()
        }
        #expect(try client.tls.shutdown() == .sent)
        client.service()
        close(client.fd)
        server.service()
        #expect(server.sawEOF)
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try server.tls.read(into: $0) } == .closed)
    }
}
