import Testing
@testable import Transport
import TransportTesting

/// The client refuses what it must refuse, with an error that says why.
@Suite struct TLSVerificationTests {
    static func attempt(client: TLSClientConfiguration, serverCert: String, serverKey: String, name: String) throws
        -> (client: TLSError?, server: TLSError?)
    {
        let clientContext = try TLSContext(client: client)
        let serverContext = try TLSContext(server: TLSServerConfiguration(certificateChainFile: serverCert, privateKeyFile: serverKey))
        let pump = TLSTestPump(
            client: try TLSConnection(client: clientContext, serverName: name), server: try TLSConnection(server: serverContext))
        let (clientError, serverError) = pump.handshake()
        return (clientError as? TLSError, serverError as? TLSError)
    }

    @Test func selfSignedCertificateIsRefused() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let result = try Self.attempt(
            client: TLSClientConfiguration(additionalTrustedCAFile: pki.caFile),
            serverCert: pki.selfSignedCertificateFile, serverKey: pki.selfSignedKeyFile, name: "localhost")
        #expect(result.client?.kind == .untrustedCertificate)
        #expect(result.client?.message == "certificate verify failed: self-signed certificate")
        // The client's alert reaches the server, which fails its side of the handshake too.
        #expect(result.server?.kind == .handshakeFailed)
    }

    @Test func certificateFromAnUntrustedCAIsRefused() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let result = try Self.attempt(
            client: TLSClientConfiguration(), serverCert: pki.serverCertificateFile, serverKey: pki.serverKeyFile, name: "localhost")
        #expect(result.client?.kind == .untrustedCertificate)
        #expect(result.client?.message.hasPrefix("certificate verify failed: unable to get local issuer certificate") == true)
    }

    @Test func wrongHostnameIsRefused() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let result = try Self.attempt(
            client: TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: pki.caFile),
            serverCert: pki.serverCertificateFile, serverKey: pki.serverKeyFile, name: "example.com")
        #expect(result.client?.kind == .hostnameMismatch)
        #expect(result.client?.message == "hostname mismatch: expected example.com, certificate is for /CN=localhost")
    }

    @Test func ipLiteralsAreCheckedAgainstIPAddressNames() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let trusting = TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: pki.caFile)
        for name in ["127.0.0.1", "::1", "[::1]"] {
            let ok = try Self.attempt(client: trusting, serverCert: pki.serverCertificateFile, serverKey: pki.serverKeyFile, name: name)
            #expect(ok.client == nil, "\(name)")
        }
        let wrong = try Self.attempt(client: trusting, serverCert: pki.serverCertificateFile, serverKey: pki.serverKeyFile, name: "10.0.0.1")
        #expect(wrong.client?.kind == .hostnameMismatch)
        #expect(wrong.client?.message.hasPrefix("hostname mismatch: expected 10.0.0.1") == true)
    }

    @Test func clientOfferingNoCommonALPNProtocolIsRefusedByTheServer() throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let result = try Self.attempt(
            client: TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: pki.caFile, alpnProtocols: ["h2"]),
            serverCert: pki.serverCertificateFile, serverKey: pki.serverKeyFile, name: "localhost")
        #expect(result.server?.kind == .handshakeFailed)
        #expect(result.client?.kind == .handshakeFailed)
        #expect(result.client?.message.contains("no application protocol") == true)
    }
}
