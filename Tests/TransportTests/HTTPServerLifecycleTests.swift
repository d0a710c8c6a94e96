import Testing
@testable import Transport

/// How long the server keeps a connection, and how it stops: a slow request head is cut off, an
/// idle keep-alive connection is closed, a graceful shutdown lets the request in flight finish.
/// What goes over the wire: `HTTPServerWireTests`.
@Suite struct HTTPServerLifecycleTests {
    @Test func slowHeadIsCutOffByTheHeaderTimeout() async throws {
        let server = try await HTTPServerWireTests.echoServer(HTTPServerConfiguration(headerReadTimeout: .milliseconds(200)))
        let socket = try RawSocket(port: server.port)
        socket.send("GET / HTTP/1.1\r\nHo")
        let start = ContinuousClock.now
        let answer = socket.readToEnd()
        #expect(answer.isEmpty)
        #expect(ContinuousClock.now - start < .seconds(4))
        // The peer sees EOF as soon as the fd closes; the loop updates its counter just after.
        #expect(try await holds(within: .seconds(1)) { server.openConnections == 0 }, "the cut-off connection is closed")
        await server.shutdown()
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let f = try await Fixture.start(configure: { $0.idleTimeout = .milliseconds(200) })
        let s = ScriptedSocket.connect(port: f.server.port)
        s.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)  // returns at EOF: the idle close
        #expect(text.occurrences(of: "HTTP/1.1 200") == 1)
        await f.stop()
    }

    @Test func gracefulShutdownFinishesInFlightRequests() async throws {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let f = try await Fixture.start(handler: .async { _ in
            signal.yield()
            try? await Task.sleep(for: .milliseconds(200))
            return HTTPResponse(status: 200, body: Array("done".utf8))
        })
        let inFlight = Task { try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5)) }
        for await _ in started { break }  // the request is being handled: shutdown must let it finish
        await f.server.shutdown(gracePeriod: .seconds(2))
        let r = try await inFlight.value
        #expect(r.body == Array("done".utf8))
        await #expect(throws: HTTPClientError.self) {
            _ = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(1))
        }
        f.client.shutdown()
        f.group.syncShutdown()
    }
}
