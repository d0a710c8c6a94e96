import Glibc
import Testing
@testable import Transport
import TransportTesting

/// Our HTTP server with server-side TLS on loopback, spoken to by our TLS engine over a raw TCP
/// socket (the HTTP client is tested separately): requests over TLS, and refusals that name the reason.
@Suite(.timeLimit(.minutes(1))) struct TLSHTTPServerTests {
    typealias Stream = TLSStream<DescriptorIO>

    static func startServer(_ pki: TLSTestPKI, certificate: String? = nil, key: String? = nil) async throws -> HTTPServer {
        let tls = TLSServerConfiguration(
            certificateChainFile: certificate ?? pki.serverCertificateFile, privateKeyFile: key ?? pki.serverKeyFile)
        return try await HTTPServer.start(configuration: HTTPServerConfiguration(tls: tls), handler: .sync { request in
            HTTPResponse(status: 200, headers: HTTPHeaders([("X-Target", request.target)]), body: request.body)
        })
    }

    /// Connects and completes the handshake, or throws the client's TLSError.
    static func connect(port: Int, context: TLSContext, name: String = "localhost") throws -> (fd: Int32, stream: Stream) {
        let fd = try TLSInteropTests.connectWithRetry(port: UInt16(port))
        do {
            let stream = Stream(engine: try TLSConnection(client: context, serverName: name, port: port), io: DescriptorIO(fd: fd))
            _ = try TLSInteropTests.drive(fd) { try stream.handshake() }
            return (fd, stream)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Sends `request` and reads until the response contains `marker`.
    static func exchange(_ connection: (fd: Int32, stream: Stream), _ request: String, until marker: String) throws -> String {
        var pending = Array(request.utf8)
        while !pending.isEmpty {
            if case .bytes(let count) = try TLSInteropTests.drive(connection.fd, { try pending.withUnsafeBytes { try connection.stream.write($0) } }) {
                pending.removeFirst(count)
            }
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !String(decoding: response, as: UTF8.self).contains(marker) {
            guard case .bytes(let count) = try TLSInteropTests.drive(connection.fd, { try buffer.withUnsafeMutableBytes { try connection.stream.read(into: $0) } })
            else { break }
            response += buffer[..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func requestsOverTLSOnAKeepAliveConnection() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await Self.startServer(pki)
        let client = try TLSContext(client: pki.clientConfiguration)
        let connection = try Self.connect(port: server.port, context: client)
        #expect(connection.stream.engine.negotiatedALPN == "http/1.1")
        let first = try Self.exchange(connection, "GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n", until: "X-Target: /one")
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        let body = String(repeating: "0123456789abcdef", count: 64 * 1024) + "END"  // 1 MiB each way
        let second = try Self.exchange(
            connection, "POST /two HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", until: "END")
        #expect(second.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(second.contains("X-Target: /two"))
        #expect(second.hasSuffix("\r\n\r\n" + body))
        #expect(server.acceptedConnections == 1)
        try connection.stream.close()
        close(connection.fd)
        await server.shutdown()
    }

    @Test func untrustedCertificateIsRefusedAndTheServerCarriesOn() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await Self.startServer(pki, certificate: pki.selfSignedCertificateFile, key: pki.selfSignedKeyFile)
        let client = try TLSContext(client: pki.clientConfiguration)
        let error = #expect(throws: TLSError.self) { _ = try Self.connect(port: server.port, context: client) }
        #expect(error?.kind == .untrustedCertificate)
        #expect(error?.message == "certificate verify failed: self-signed certificate")
        // A client that does trust that certificate is served as usual.
        let trusting = try TLSContext(
            client: TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: pki.selfSignedCertificateFile))
        let good = try Self.connect(port: server.port, context: trusting)
        let answer = try Self.exchange(good, "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n", until: "X-Target: /ok")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        close(good.fd)
        await server.shutdown()
    }

    @Test func wrongHostnameIsRefused() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await Self.startServer(pki, certificate: pki.otherHostCertificateFile, key: pki.otherHostKeyFile)
        let client = try TLSContext(client: pki.clientConfiguration)
        let error = #expect(throws: TLSError.self) { _ = try Self.connect(port: server.port, context: client) }
        #expect(error?.kind == .hostnameMismatch)
        #expect(error?.message == "hostname mismatch: expected localhost, certificate is for /CN=other.example")
        // A refused client does not disturb the next one, which asks for the certificate's name.
        let good = try Self.connect(port: server.port, context: client, name: "other.example")
        let answer = try Self.exchange(good, "GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n", until: "X-Target: /ok")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        close(good.fd)
        await server.shutdown()
    }
}
