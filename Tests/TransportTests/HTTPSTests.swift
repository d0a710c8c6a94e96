import Testing
@testable import Transport

/// https end to end: our server with a certificate from the test CA, our client verifying it.
@Suite struct HTTPSTests {
    static func server(_ pki: TLSTestPKI, host: String = "127.0.0.1") async throws -> HTTPServer {
        try await HTTPServer.start(
            configuration: HTTPServerConfiguration(host: host, tls: pki.serverConfiguration),
            handler: .sync { request in HTTPResponse(status: 200, body: Array("secure \(request.target)".utf8) + request.body) })
    }

    @Test func requestsOverTLSWithATrustedCertificate() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await Self.server(pki)
        let client = try HTTPClient(options: HTTPClientOptions(additionalTrustedCAFile: pki.caFile, useSystemTrustStore: false))
        let payload = [UInt8](repeating: 7, count: 200_000)
        for host in ["localhost", "127.0.0.1"] {
            let response = try await client.execute(HTTPRequest(method: "POST", url: "https://\(host):\(server.port)/x", body: payload), timeout: .seconds(10))
            #expect(response.status == 200)
            #expect(response.body == Array("secure /x".utf8) + payload)
        }
        // Keep-alive works through TLS as well: one connection per host name.
        _ = try await client.execute(HTTPRequest(method: "GET", url: "https://localhost:\(server.port)/again"), timeout: .seconds(10))
        #expect(server.acceptedConnections <= 3)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func untrustedCertificateIsRefusedWithAClearError() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await Self.server(pki)
        let client = try HTTPClient(options: HTTPClientOptions(useSystemTrustStore: true))
        do {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "https://localhost:\(server.port)/"), timeout: .seconds(10))
            Issue.record("an untrusted certificate was accepted")
        } catch let error as HTTPClientError {
            guard case .tls(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("localhost"))
            #expect(message.contains("certificate verify failed"))
        }
        await client.shutdown()
        await server.shutdown()
    }

    @Test func wrongHostnameIsRefused() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        // 127.0.0.2 is loopback too, but the certificate names only localhost, 127.0.0.1 and ::1.
        let server = try await Self.server(pki, host: "127.0.0.2")
        let client = try HTTPClient(options: HTTPClientOptions(additionalTrustedCAFile: pki.caFile, useSystemTrustStore: false))
        do {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "https://127.0.0.2:\(server.port)/"), timeout: .seconds(10))
            Issue.record("a certificate for another name was accepted")
        } catch let error as HTTPClientError {
            guard case .tls(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("127.0.0.2"))
            #expect(message.contains("mismatch"))
        }
        await client.shutdown()
        await server.shutdown()
    }
}

@Suite struct HTTPSLoadTests {
    @Test func concurrentLargeBodiesOverTLS() async throws {
        let pki = try TLSTestPKI()
        defer { pki.remove() }
        let server = try await HTTPSTests.server(pki)
        let client = try HTTPClient(options: HTTPClientOptions(maxConnectionsPerHost: 8, additionalTrustedCAFile: pki.caFile, useSystemTrustStore: false))
        let url = "https://localhost:\(server.port)/load"
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var failed = 0
                    for i in 0..<20 {
                        let body = [UInt8](repeating: UInt8(truncatingIfNeeded: worker &+ i), count: 50_000 + worker * 1000)
                        let response = try? await client.execute(HTTPRequest(method: "POST", url: url, body: body), timeout: .seconds(20))
                        if response?.body != Array("secure /load".utf8) + body { failed += 1 }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(server.acceptedConnections <= 8)
        await client.shutdown()
        await server.shutdown()
    }
}
