import Testing
@testable import Transport
import TransportTesting

/// Our HTTP client refusing our HTTP server's certificate over loopback (certificates generated in
/// the test), with `HTTPClientError.tls` saying why. The https happy path is in ClientTLSTests.
@Suite(.timeLimit(.minutes(1))) struct TLSHTTPClientTests {
    /// The `.tls` text of the error a GET to `url` threw, or a note of what happened instead.
    static func tlsFailure(serverCertificate: String, serverKey: String, pki: TLSTestPKI, url: (Int) -> String) async throws -> String {
        let group = try EventLoopGroup(threads: 1)
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.tls = TLSServerConfiguration(certificateChainFile: serverCertificate, privateKeyFile: serverKey)
        let server = try await HTTPServer.start(configuration: serverConfiguration, group: group, handler: .sync { _ in HTTPResponse(status: 200) })
        var configuration = HTTPClient.Configuration()
        configuration.tls = pki.clientConfiguration
        let client = HTTPClient(group: group, configuration: configuration)
        defer { group.syncShutdown() }
        let outcome: String
        do {
            _ = try await client.execute(HTTPRequest(method: "GET", url: url(server.port)), timeout: .seconds(5))
            outcome = "no error"
        } catch HTTPClientError.tls(let text) {
            outcome = text
        } catch {
            outcome = "unexpected: \(error)"
        }
        client.shutdown()
        await server.shutdown(gracePeriod: .seconds(1))
        return outcome
    }

    @Test func selfSignedServerCertificateIsRefused() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let failure = try await Self.tlsFailure(
            serverCertificate: pki.selfSignedCertificateFile, serverKey: pki.selfSignedKeyFile, pki: pki) { "https://localhost:\($0)/" }
        #expect(failure.contains("localhost"))
        #expect(failure.contains("certificate verify failed: self-signed certificate"), "\(failure)")
    }

    @Test func certificateForAnotherHostIsRefused() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let failure = try await Self.tlsFailure(
            serverCertificate: pki.otherHostCertificateFile, serverKey: pki.otherHostKeyFile, pki: pki) { "https://localhost:\($0)/" }
        #expect(failure.contains("hostname mismatch: expected localhost, certificate is for /CN=other.example"), "\(failure)")
    }

    @Test func ipLiteralNotInTheCertificateIsRefused() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let failure = try await Self.tlsFailure(
            serverCertificate: pki.otherHostCertificateFile, serverKey: pki.otherHostKeyFile, pki: pki) { "https://127.0.0.1:\($0)/" }
        #expect(failure.contains("hostname mismatch: expected 127.0.0.1"), "\(failure)")
    }
}
