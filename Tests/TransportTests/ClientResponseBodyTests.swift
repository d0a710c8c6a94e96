import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Transport
import TransportTesting

/// The client reads whole response bodies: many concurrent large https bodies through a pool of a
/// few connections, each intact, and a body delimited by the connection closing, read to its end.
@Suite(.timeLimit(.minutes(1))) struct ClientResponseBodyTests {
    @Test func concurrentLargeBodiesOverAFewTLSConnections() async throws {
        let pki = try TLSTestPKI()
        var config = HTTPClient.Configuration()
        config.tls = pki.clientConfiguration
        config.maxConnectionsPerHost = 8
        let f = try await Fixture.start(configure: { $0.tls = pki.serverConfiguration }, client: config)
        let (client, server) = (f.client, f.server)
        let url = "https://localhost:\(server.port)/load"
        let failures = await withTaskGroup(of: Int.self) { tasks in
            for worker in 0..<16 {
                tasks.addTask {
                    var failed = 0
                    for i in 0..<20 {
                        let body = [UInt8](repeating: UInt8(truncatingIfNeeded: worker &+ i), count: 50_000 + worker * 1000)
                        let response = try? await client.execute(HTTPRequest(method: "POST", url: url, body: body), timeout: .seconds(20))
                        if response?.body != body { failed += 1 }
                    }
                    return failed
                }
            }
            return await tasks.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(server.acceptedConnections <= 8)
        await f.stop()
    }

    @Test func closeDelimitedResponseIsReadToTheEnd() async throws {
        let (listener, port) = ScriptedSocket.listen()
        onThread {
            guard let peer = listener.accept() else { return }
            _ = peer.receiveRequest()
            peer.send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
            peer.close()
        }
        let client = HTTPClient()
        let response = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(5))
        #expect(response.body == Array("until the end".utf8))
        client.shutdown()
        listener.close()
    }
}
