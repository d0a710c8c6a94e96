import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Transport
import TransportTesting

/// A server on loopback with an echo-ish handler, plus a client sharing the same group.
struct Fixture {
    let group: EventLoopGroup
    let server: HTTPServer
    let client: HTTPClient
    var base: String { "http://127.0.0.1:\(server.port)" }

    static func start(loops: Int = 2, configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                      client: HTTPClient.Configuration = .init(),
                      handler: HTTPServerHandler = .sync(Fixture.echo)) async throws -> Fixture {
        let group = try EventLoopGroup(threads: loops)
        var config = HTTPServerConfiguration()
        configure(&config)
        let server = try await HTTPServer.start(configuration: config, group: group, handler: handler)
        return Fixture(group: group, server: server, client: HTTPClient(group: group, configuration: client))
    }

    @Sendable static func echo(_ request: HTTPServerRequest) -> HTTPResponse {
        var headers = HTTPHeaders([("X-Method", request.method), ("X-Target", request.target)])
        if let ce = request.headers["Content-Encoding"] { headers.add("X-Request-Encoding", ce) }
        return HTTPResponse(status: 200, headers: headers, body: request.body)
    }

    func stop() async {
        client.shutdown()
        await server.shutdown(gracePeriod: .seconds(1))
        group.syncShutdown()
    }
}

@Suite struct ClientServerTests {
    @Test func getAndPostRoundTrip() async throws {
        let f = try await Fixture.start()
        let get = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/hello?x=1"), timeout: .seconds(5))
        #expect(get.status == 200)
        #expect(get.headers["X-Target"] == "/hello?x=1")
        let post = try await f.client.execute(HTTPRequest(method: "POST", url: f.base + "/p", body: Array("payload".utf8)), timeout: .seconds(5))
        #expect(post.body == Array("payload".utf8))
        #expect(post.headers["Date"] != nil)
        await f.stop()
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let f = try await Fixture.start()
        for i in 0..<20 {
            let r = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/\(i)"), timeout: .seconds(5))
            #expect(r.status == 200)
        }
        #expect(f.server.acceptedConnections == 1)
        #expect(try await f.client.connectionsOpened(to: f.base) == 1)
        await f.stop()
    }
}

@Suite struct ClientBehaviourTests {
    @Test func serverConnectionCloseIsHonoured() async throws {
        let f = try await Fixture.start(handler: .sync { _ in HTTPResponse(status: 200, headers: HTTPHeaders([("Connection", "close")]), body: [1]) })
        for _ in 0..<10 {
            let r = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5))
            #expect(r.body == [1])
        }
        #expect(f.server.acceptedConnections == 10)
        // Many at once, as the AWS clients do against moto: every exchange on its own connection.
        let failures = Locked(0)
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<32 {
                tasks.addTask {
                    for _ in 0..<50 {
                        let r = try? await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(10))
                        if r?.body != [1] { failures.withLock { $0 += 1 } }
                    }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(f.server.acceptedConnections == 10 + 32 * 50)
        await f.stop()
    }

    @Test func idleConnectionClosedByServerIsDropped() async throws {
        let f = try await Fixture.start(configure: { $0.idleTimeout = .milliseconds(100) })
        _ = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/a"), timeout: .seconds(5))
        // Wait until the server has closed the idle connection (its sweep is periodic).
        #expect(try await holds(within: .seconds(3)) { f.server.openConnections == 0 }, "the server closed the idle connections")
        let r = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/b"), timeout: .seconds(5))
        #expect(r.status == 200)
        #expect(try await f.client.connectionsOpened(to: f.base) == 2)
        await f.stop()
    }

    /// The server answers one request, then closes the kept-alive connection when the next one
    /// arrives without answering: the client must retry once on a fresh connection.
    @Test func staleKeepAliveConnectionIsRetriedOnce() async throws {
        let (listener, port) = ScriptedSocket.listen()
        onThread {
            guard let first = listener.accept() else { return }
            _ = first.receiveRequest()
            first.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            _ = first.receiveRequest()
            first.close()
            guard let second = listener.accept() else { return }
            _ = second.receiveRequest()
            second.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain")
            _ = second.receive()
        }
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        let url = "http://127.0.0.1:\(port)/"
        #expect(try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).body == Array("ok".utf8))
        #expect(try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).body == Array("again".utf8))
        #expect(try await client.connectionsOpened(to: url) == 2)
        client.shutdown()
        group.syncShutdown()
    }

    @Test func chunkedGzipResponseIsDecoded() async throws {
        let (listener, port) = ScriptedSocket.listen()
        let plain = Array(String(repeating: "chunked and gzipped ", count: 500).utf8)
        let gz = Gzip.compress(plain)
        onThread {
            guard let c = listener.accept() else { return }
            _ = c.receiveRequest()
            var wire = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".utf8)
            var rest = gz[...]
            while !rest.isEmpty {
                let piece = rest.prefix(100)
                rest = rest.dropFirst(100)
                wire += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
            }
            wire += Array("0\r\n\r\n".utf8)
            c.send(wire)
            _ = c.receive()
        }
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        let r = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(5))
        #expect(r.body == plain)
        #expect(r.headers["Content-Encoding"] == nil)
        client.shutdown()
        group.syncShutdown()
    }

    @Test func gzipRequestBodies() async throws {
        var config = HTTPClient.Configuration()
        config.gzipRequestBodies = true
        let f = try await Fixture.start(client: config)
        let body = Array(String(repeating: "compress me ", count: 1000).utf8)
        let r = try await f.client.execute(HTTPRequest(method: "POST", url: f.base + "/", body: body), timeout: .seconds(5))
        #expect(r.headers["X-Request-Encoding"] == "gzip")
        #expect(r.body.count < body.count)
        #expect(Gzip.decompress(r.body) == body)
        await f.stop()
    }

    @Test func tenMegabyteBodiesBothWays() async throws {
        let f = try await Fixture.start()
        let body = (0..<(10 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let r = try await f.client.execute(HTTPRequest(method: "PUT", url: f.base + "/big", body: body), timeout: .seconds(20))
        #expect(r.status == 200)
        #expect(r.body.count == body.count)
        #expect(r.body == body)
        await f.stop()
    }

    @Test func connectTimeoutAgainstAFullBacklog() async throws {
        let (listener, port) = ScriptedSocket.listen(backlog: 0)
        // Fill the accept queue; the listener never accepts, so later SYNs are dropped.
        let fillers = (0..<4).map { _ in nonBlockingConnect(port: port) }
        var config = HTTPClient.Configuration()
        config.connectTimeout = .milliseconds(200)
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group, configuration: config)
        await #expect(throws: HTTPClientError.connectTimeout(host: "127.0.0.1", port: port)) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(5))
        }
        for fd in fillers { close(fd) }
        listener.close()
        client.shutdown()
        group.syncShutdown()
    }

    @Test func requestTimeoutWhenTheServerNeverAnswers() async throws {
        let (listener, port) = ScriptedSocket.listen()
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        await #expect(throws: HTTPClientError.requestTimeout(host: "127.0.0.1")) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .milliseconds(200))
        }
        listener.close()
        client.shutdown()
        group.syncShutdown()
    }

    /// Pools per origin are forgotten once empty (issue 15): fifty origins that refuse, and one
    /// whose idle connection ages out, leave no pool behind. Before, every origin ever asked kept one.
    @Test func emptyPoolsAreForgotten() async throws {
        let group = try EventLoopGroup(threads: 1)
        var configuration = HTTPClient.Configuration()
        configuration.idleTimeout = .milliseconds(300)
        let client = HTTPClient(group: group, configuration: configuration)
        for _ in 0..<50 {
            let (listener, port) = ScriptedSocket.listen()
            listener.close()
            _ = try? await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(2))
        }
        try await waitUntil { client.poolCount == 0 }
        let f = try await Fixture.start()
        let response = try await client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5))
        #expect(response.status == 200)
        #expect(client.poolCount == 1)
        try await waitUntil { client.poolCount == 0 }
        await f.stop()
        client.shutdown()
        group.syncShutdown()
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test func connectionRefusedNamesTheHost() async throws {
        let (listener, port) = ScriptedSocket.listen()
        listener.close()
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        await #expect(throws: HTTPClientError.connectionRefused(host: "127.0.0.1", port: port)) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(2))
        }
        #expect(HTTPClientError.connectionRefused(host: "127.0.0.1", port: port).description.contains("127.0.0.1:\(port)"))
        client.shutdown()
        group.syncShutdown()
    }

    @Test func rejectsHeaderInjectionHttpsAndOversizedResponses() async throws {
        var config = HTTPClient.Configuration()
        config.maxResponseBytes = 1000
        let f = try await Fixture.start(client: config)
        await #expect(throws: HTTPClientError.invalidHeader(name: "X-Evil")) {
            _ = try await f.client.execute(HTTPRequest(method: "GET", url: f.base, headers: HTTPHeaders([("X-Evil", "a\r\nInjected: 1")])), timeout: .seconds(2))
        }
        await #expect(throws: HTTPClientError.self) {
            _ = try await f.client.execute(HTTPRequest(method: "GET", url: "https://127.0.0.1:1/"), timeout: .seconds(2))
        }
        await #expect(throws: HTTPClientError.responseTooLarge(host: "127.0.0.1", limit: 1000)) {
            _ = try await f.client.execute(HTTPRequest(method: "POST", url: f.base, body: [UInt8](repeating: 7, count: 5000)), timeout: .seconds(2))
        }
        await f.stop()
    }

    @Test func ipv6Loopback() async throws {
        let f = try await Fixture.start(configure: { $0.host = "::1" })
        let r = try await f.client.execute(HTTPRequest(method: "GET", url: "http://[::1]:\(f.server.port)/six"), timeout: .seconds(5))
        #expect(r.headers["X-Target"] == "/six")
        await f.stop()
    }

    @Test func twentyThousandRequestsOverSixtyFourConnections() async throws {
        let f = try await Fixture.start()
        let failures = Locked(0)
        await withTaskGroup(of: Void.self) { tasks in
            for worker in 0..<64 {
                tasks.addTask {
                    for i in 0..<(20_000 / 64 + (worker < 20_000 % 64 ? 1 : 0)) {
                        let r = try? await f.client.execute(HTTPRequest(method: "POST", url: f.base + "/w\(worker)", body: Array("\(i)".utf8)), timeout: .seconds(30))
                        if r?.status != 200 || r?.body != Array("\(i)".utf8) { failures.withLock { $0 += 1 } }
                    }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(f.server.acceptedConnections <= 64)
        await f.stop()
    }
}

func nonBlockingConnect(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    let address = SocketAddress(numericHost: "127.0.0.1", port: port)!
    _ = address.withSockaddr { sa, len in connect(fd, sa, len) }
    return fd
}

@Suite struct ClientTLSTests {
    @Test func httpsRoundTripsWithKeepAlive() async throws {
        let pki = try TLSTestPKI()
        var config = HTTPClient.Configuration()
        config.tls = pki.clientConfiguration
        let f = try await Fixture.start(configure: { $0.tls = pki.serverConfiguration }, client: config)
        let (client, server) = (f.client, f.server)
        let body = (0..<1_200_000).map { UInt8(truncatingIfNeeded: $0) }  // over the server's TLS read cap
        for host in ["localhost", "127.0.0.1"] {
            let r = try await client.execute(HTTPRequest(method: "POST", url: "https://\(host):\(server.port)/tls", body: body), timeout: .seconds(10))
            #expect(r.status == 200)
            #expect(r.body == body)
            let again = try await client.execute(HTTPRequest(method: "GET", url: "https://\(host):\(server.port)/again"), timeout: .seconds(10))
            #expect(again.headers["X-Target"] == "/again")
        }
        #expect(server.acceptedConnections == 2)
        await f.stop()
    }

    @Test func untrustedCertificateIsATLSErrorNamingTheHost() async throws {
        let pki = try TLSTestPKI()
        let group = try EventLoopGroup(threads: 1)
        var serverConfig = HTTPServerConfiguration()
        serverConfig.tls = pki.serverConfiguration
        let server = try await HTTPServer.start(configuration: serverConfig, group: group, handler: .sync(Fixture.echo))
        var config = HTTPClient.Configuration()
        config.tls = TLSClientConfiguration(useSystemTrustStore: false)
        let client = HTTPClient(group: group, configuration: config)
        do {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "https://localhost:\(server.port)/"), timeout: .seconds(5))
            Issue.record("expected a TLS failure")
        } catch let error as HTTPClientError {
            guard case .tls(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("localhost"))
        }
        client.shutdown()
        await server.shutdown(gracePeriod: .seconds(1))
        group.syncShutdown()
    }
}

@Suite struct ClientPoolTests {
    @Test func perHostCapQueuesWaiters() async throws {
        var config = HTTPClient.Configuration()
        config.maxConnectionsPerHost = 8
        let f = try await Fixture.start(client: config, handler: .async { request in
            try? await Task.sleep(for: .milliseconds(5))
            return HTTPResponse(status: 200, body: Array(request.target.utf8))
        })
        let wrong = Locked(0)
        await withTaskGroup(of: Void.self) { tasks in
            for i in 0..<200 {
                tasks.addTask {
                    let r = try? await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/\(i)"), timeout: .seconds(20))
                    if r?.body != Array("/\(i)".utf8) { wrong.withLock { $0 += 1 } }
                }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
        #expect(f.server.acceptedConnections <= 8)
        #expect(try await f.client.connectionsOpened(to: f.base) <= 8)
        await f.stop()
    }

    @Test func cancellingTheTaskAbortsTheRequest() async throws {
        let (listener, port) = ScriptedSocket.listen()
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        let task = Task {
            try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Far below the request's 30 s timeout, yet loose enough for a loaded (or TSan) run: the
        // whole suite under ThreadSanitizer once took 6 s here.
        #expect(clock.now - start < .seconds(15))
        listener.close()
        client.shutdown()
        group.syncShutdown()
    }
}

extension ClientPoolTests {
    /// A client dropped while its pooled connections are idle must not leave dangling state on the
    /// loop: the server's later close of those connections is handled, and the loop keeps working.
    @Test func droppingTheClientClosesItsIdleConnections() async throws {
        let f = try await Fixture.start(configure: { $0.idleTimeout = .milliseconds(100) })
        do {
            let transient = HTTPClient(group: f.group)
            for _ in 0..<3 {
                _ = try await transient.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5))
            }
        }
        #expect(try await holds(within: .seconds(3)) { f.server.openConnections == 0 }, "the server closed the idle connections")
        let r = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/after"), timeout: .seconds(5))
        #expect(r.headers["X-Target"] == "/after")
        await f.stop()
    }
}
