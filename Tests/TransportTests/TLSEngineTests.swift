import Testing
@testable import Transport
import TransportTesting

/// The TLS engine driven in memory: handshake, ALPN, data both ways, bulk data, resumption, close.
@Suite struct TLSEngineTests {
    static func contexts(_ pki: TLSTestPKI) throws -> (client: TLSContext, server: TLSContext) {
        let client = try TLSContext(client: TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: pki.caFile))
        let server = try TLSContext(
            server: TLSServerConfiguration(certificateChainFile: pki.serverCertificateFile, privateKeyFile: pki.serverKeyFile))
        return (client, server)
    }

    static func connect(_ client: TLSContext, _ server: TLSContext, name: String = "localhost", port: Int = 443) throws -> TLSTestPump {
        let pump = TLSTestPump(client: try TLSConnection(client: client, serverName: name, port: port), server: try TLSConnection(server: server))
        let (clientError, serverError) = pump.handshake()
        if let clientError { throw clientError }
        if let serverError { throw serverError }
        return pump
    }

    @Test func handshakeNegotiatesALPNAndCarriesDataBothWays() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        let pump = try Self.connect(clientContext, serverContext)
        #expect(pump.client.isHandshakeComplete && pump.server.isHandshakeComplete)
        #expect(pump.client.negotiatedALPN == "http/1.1")
        #expect(pump.server.negotiatedALPN == "http/1.1")
        #expect(pump.client.protocolVersion == "TLSv1.3")
        #expect(!pump.client.isSessionReused)

        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        #expect(try pump.send(request, from: pump.client, to: pump.server) == request)
        let response = Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)
        #expect(try pump.send(response, from: pump.server, to: pump.client) == response)
    }

    @Test func oneMegabyteEachWay() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        let pump = try Self.connect(clientContext, serverContext)
        var generator = SystemRandomNumberGenerator()
        let upload = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let download = Array(upload.reversed())
        #expect(try pump.send(upload, from: pump.client, to: pump.server) == upload)
        #expect(try pump.send(download, from: pump.server, to: pump.client) == download)
    }

    @Test func secondConnectionResumesTheSessionForTheSameHostOnly() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        do {
            // Dropped afterwards without close_notify, like an idle pooled connection.
            let first = try Self.connect(clientContext, serverContext, port: 8443)
            // TLS 1.3 tickets arrive after the handshake and are processed by the client's next read.
            _ = try first.send(Array("hello".utf8), from: first.server, to: first.client)
            #expect(!first.client.isSessionReused)
        }
        #expect(clientContext.sessionCache?.count == 1)

        let second = try Self.connect(clientContext, serverContext, port: 8443)
        #expect(second.client.isSessionReused)
        #expect(second.server.isSessionReused)
        #expect(try second.send(Array("again".utf8), from: second.client, to: second.server) == Array("again".utf8))
        // TLS 1.3 tickets are single-use; the read below takes the fresh one the third connection uses.
        _ = try second.send(Array("ok".utf8), from: second.server, to: second.client)
        let third = try Self.connect(clientContext, serverContext, port: 8443)
        #expect(third.client.isSessionReused)

        let otherPort = try Self.connect(clientContext, serverContext, port: 9443)
        #expect(!otherPort.client.isSessionReused)
    }

    @Test func aFailedConnectionsSessionIsNotResumed() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        do {
            let first = try Self.connect(clientContext, serverContext)
            _ = try first.send(Array("hello".utf8), from: first.server, to: first.client)
            first.client.receivedEOF()
            var buffer = [UInt8](repeating: 0, count: 8)
            #expect(throws: TLSError.self) { try buffer.withUnsafeMutableBytes { try first.client.read(into: $0) } }
        }
        #expect(clientContext.sessionCache?.count == 0)
        let second = try Self.connect(clientContext, serverContext)
        #expect(!second.client.isSessionReused)
    }

    @Test func closeNotifyEndsTheStreamCleanly() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        let pump = try Self.connect(clientContext, serverContext)
        #expect(try pump.client.shutdown() == .sent)
        pump.pump()
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try pump.server.read(into: $0) } == .closed)
        #expect(try pump.server.shutdown() == .complete)
    }

    @Test func transportEOFWithoutCloseNotifyIsReportedAsTruncation() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let (clientContext, serverContext) = try Self.contexts(pki)
        let pump = try Self.connect(clientContext, serverContext)
        pump.server.receivedEOF()
        var buffer = [UInt8](repeating: 0, count: 64)
        let error = #expect(throws: TLSError.self) { try buffer.withUnsafeMutableBytes { try pump.server.read(into: $0) } }
        #expect(error?.kind == .unexpectedEOF)
    }

    @Test func missingCertificateFileIsAConfigurationError() throws {
        let error = #expect(throws: TLSError.self) {
            try TLSContext(server: TLSServerConfiguration(certificateChainFile: "/nonexistent/cert.pem", privateKeyFile: "/nonexistent/key.pem"))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("/nonexistent/cert.pem") == true)
    }
}
