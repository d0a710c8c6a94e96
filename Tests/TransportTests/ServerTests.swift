import Testing
@testable import Transport

@Suite struct ServerTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let f = try await Fixture.start()
        let s = RawSocket.connect(port: f.server.port)
        s.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nPOST /3 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        #expect(text.occurrences(of: "HTTP/1.1 200 OK") == 4)
        let order = ["X-Target: /1", "X-Target: /2", "X-Target: /3", "X-Target: /4"].map { text.firstRange(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(text.contains("\r\n\r\nabc"))
        await f.stop()
    }

    @Test func asyncHandlerKeepsPipelineOrder() async throws {
        let f = try await Fixture.start(handler: .async { request in
            if request.target == "/slow" { try? await Task.sleep(for: .milliseconds(50)) }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("X-Target", request.target)]))
        })
        let s = RawSocket.connect(port: f.server.port)
        s.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        let slow = try #require(text.firstRange(of: "/slow")), fast = try #require(text.firstRange(of: "/fast"))
        #expect(slow.lowerBound < fast.lowerBound)
        await f.stop()
    }

    @Test func chunkedRequestBodyIsDecoded() async throws {
        let f = try await Fixture.start()
        let s = RawSocket.connect(port: f.server.port)
        s.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.hasSuffix("\r\n\r\nhello world"))
        await f.stop()
    }

    static let badRequests: [String: String] = [
        "garbage": "GARBAGE\r\n\r\n",
        "conflicting content-length": "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "70 kB header": "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n",
        "100 MB content-length": "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n",
    ]

    @Test(arguments: [
        ("garbage", "HTTP/1.1 400"),
        ("conflicting content-length", "HTTP/1.1 400"),
        ("70 kB header", "HTTP/1.1 431"),
        ("100 MB content-length", "HTTP/1.1 413"),
    ])
    func badInputGetsItsStatusAndTheConnectionCloses(name: String, expected: String) async throws {
        let request = try #require(Self.badRequests[name])
        let f = try await Fixture.start(configure: { $0.maxBodyBytes = 1 << 20; $0.maxHeaderBytes = 32 * 1024 })
        let s = RawSocket.connect(port: f.server.port)
        s.send(request)
        let text = String(decoding: s.receive(), as: UTF8.self)  // returns at EOF: the server closed
        #expect(text.hasPrefix(expected))
        #expect(text.contains("Connection: close"))
        await f.stop()
    }

    @Test func stalledRequestGets408() async throws {
        let f = try await Fixture.start(configure: { $0.requestReadTimeout = .milliseconds(300) })
        let s = RawSocket.connect(port: f.server.port)
        s.send("GET / HTTP/1.1\r\nHost: x\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 408"))
        await f.stop()
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let f = try await Fixture.start(configure: { $0.idleTimeout = .milliseconds(200) })
        let s = RawSocket.connect(port: f.server.port)
        s.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)  // EOF comes from the idle close
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
        #expect(r.headers["Connection"] == "close")
        await #expect(throws: HTTPClientError.self) {
            _ = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(1))
        }
        f.client.shutdown()
        f.group.shutdown()
    }

    @Test func headResponseHasNoBody() async throws {
        let f = try await Fixture.start(handler: .sync { _ in HTTPResponse(status: 200, body: Array("body".utf8)) })
        let r = try await f.client.execute(HTTPRequest(method: "HEAD", url: f.base + "/"), timeout: .seconds(5))
        #expect(r.body.isEmpty)
        #expect(r.headers["Content-Length"] == "4")
        let g = try await f.client.execute(HTTPRequest(method: "GET", url: f.base + "/"), timeout: .seconds(5))
        #expect(g.body == Array("body".utf8))
        await f.stop()
    }
}
