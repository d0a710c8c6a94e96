import Glibc
import Testing
import Transport
import TransportTesting

/// A non-blocking file descriptor as the socket under a `TLSStream`.
struct DescriptorIO: TLSStreamIO {
    let fd: Int32

    mutating func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSStreamIOResult {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfStream }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            throw TLSError(.protocolError, "recv errno \(errno)")
        }
    }

    mutating func send(_ bytes: UnsafeRawBufferPointer) throws -> TLSStreamIOResult {
        while true {
            let count = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .bytes(count) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            throw TLSError(.protocolError, "send errno \(errno)")
        }
    }
}

/// `TLSStream` over a non-blocking socketpair, stepped by hand the way a loop would on readiness.
@Suite struct TLSStreamTests {
    typealias Stream = TLSStream<DescriptorIO>

    static func streams(_ pki: TLSTestPKI) throws -> (client: Stream, server: Stream) {
        let contexts = try TLSEngineTests.contexts(pki)
        let (a, b) = try TLSSocketPairTests.socketPair()
        return (
            Stream(engine: try TLSConnection(client: contexts.client, serverName: "localhost"), io: DescriptorIO(fd: a)),
            Stream(engine: try TLSConnection(server: contexts.server), io: DescriptorIO(fd: b))
        )
    }

    static func handshake(_ client: Stream, _ server: Stream) throws {
        var clientDone = false
        var serverDone = false
        for _ in 0..<100 where !(clientDone && serverDone) {
            if !clientDone { clientDone = try client.handshake() == .bytes(0) }
            if !serverDone { serverDone = try server.handshake() == .bytes(0) }
        }
        #expect(clientDone && serverDone)
    }

    /// A handshaken client/server pair for `body`; afterwards both descriptors are closed and the
    /// PKI removed. `closesClient`: the body closes the client descriptor itself.
    static func withHandshakenPair(closesClient: Bool = false, _ body: (Stream, Stream) throws -> Void) throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (client, server) = try streams(pki)
        defer {
            if !closesClient { close(client.io.fd) }
            close(server.io.fd)
        }
        try handshake(client, server)
        try body(client, server)
    }

    /// Writes `payload` from one stream while reading it on the other, both non-blocking.
    static func transfer(_ payload: [UInt8], from sender: Stream, to receiver: Stream) throws -> [UInt8] {
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        for _ in 0..<100_000 where received.count < payload.count {
            if sent < payload.count,
                case .bytes(let count) = try payload.withUnsafeBytes({ try sender.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) })
            {
                sent += count
            } else if sender.hasPendingOutput {
                try sender.flush()
            }
            if case .bytes(let count) = try buffer.withUnsafeMutableBytes({ try receiver.read(into: $0) }) {
                received += buffer[..<count]
            }
        }
        return received
    }

    @Test func requestAndLargeResponseThroughTheStream() throws {
        try Self.withHandshakenPair { client, server throws in
            #expect(client.engine.negotiatedALPN == "http/1.1")
            let request = Array("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
            #expect(try Self.transfer(request, from: client, to: server) == request)
            let body = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
            #expect(try Self.transfer(body, from: server, to: client) == body)
        }
    }

    @Test func closeReachesThePeerAsClosed() throws {
        try Self.withHandshakenPair(closesClient: true) { client, server throws in
            try client.close()
            close(client.io.fd)
            var buffer = [UInt8](repeating: 0, count: 64)
            #expect(try buffer.withUnsafeMutableBytes { try server.read(into: $0) } == .closed)
        }
    }

    @Test func socketEOFWithoutCloseNotifyThrows() throws {
        try Self.withHandshakenPair { client, server throws in
            // A half-close, not close(): closing with unread tickets would make the kernel reset the pair.
            shutdown(client.io.fd, Int32(SHUT_WR))
            var buffer = [UInt8](repeating: 0, count: 64)
            let error = #expect(throws: TLSError.self) { try buffer.withUnsafeMutableBytes { try server.read(into: $0) } }
            #expect(error?.kind == .unexpectedEOF)
        }
    }

    @Test func readWithNothingToReadAsksToWaitForReadable() throws {
        try Self.withHandshakenPair { client, server throws in
            var buffer = [UInt8](repeating: 0, count: 64)
            // The client first consumes the server's session tickets, then finds nothing more.
            #expect(try buffer.withUnsafeMutableBytes { try client.read(into: $0) } == .waitReadable)
            #expect(try buffer.withUnsafeMutableBytes { try server.read(into: $0) } == .waitReadable)
        }
    }
}
