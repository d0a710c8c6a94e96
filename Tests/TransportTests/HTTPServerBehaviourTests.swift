import Testing
@testable import Transport

/// Server behaviour seen through our client and raw sockets (complements HTTPServerTests).
@Suite struct HTTPServerBehaviourTests {
    @Test func chunkedRequestBodyIsDecoded() async throws {
        let f = try await Fixture.start()
        let s = ScriptedSocket.connect(port: f.server.port)
        s.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.hasSuffix("\r\n\r\nhello world"))
        await f.stop()
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

    @Test func headResponseHasNoBody() async throws {
        let f = try await Fixture.start(handler: .sync { _ in HTTPResponse(status: 200, body: Array("body".utf8)) })
        let r = try await f.client.execute(HTTPRequest(method: "HEAD", url: f.base + "/"), timeout: .seconds(5))
        #expect(r.body.isEmpty)
        let g = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5))
        #expect(g.body == Array("body".utf8))
        #expect(f.server.acceptedConnections == 1)
        await f.stop()
    }
}
