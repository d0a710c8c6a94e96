import Foundation
import Testing
@testable import Transport

/// The server's HTTP/1.1 on the wire: requests written as raw bytes (or sent by our client) and the
/// answers read back — keep-alive, pipelining, chunked request bodies, HEAD, the parser's error
/// statuses, in-order answers from an async handler. Timeouts and shutdown: `HTTPServerLifecycleTests`.
@Suite struct HTTPServerWireTests {
    static func echoServer(_ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                           group: EventLoopGroup? = nil) async throws -> HTTPServer {
        try await HTTPServer.start(configuration: configuration, group: group, handler: .sync { request in
            HTTPResponse(status: 200, headers: HTTPHeaders([("X-Method", request.method), ("X-Target", request.target)]), body: request.body)
        })
    }

    @Test func answersAndKeepsTheConnectionAlive() async throws {
        let server = try await Self.echoServer()
        let socket = try RawSocket(port: server.port)
        socket.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = socket.read(untilOccurrences: 1, of: "X-Target: /a\r\n")
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(first.contains("Content-Length: 0\r\n"))
        #expect(first.contains("Date: "))
        socket.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        let second = socket.read(untilOccurrences: 1, of: "hello")
        #expect(second.contains("X-Target: /b"))
        #expect(server.acceptedConnections == 1)
        await server.shutdown()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await Self.echoServer()
        let socket = try RawSocket(port: server.port)
        var batch = ""
        for i in 0..<50 { batch += "GET /\(i) HTTP/1.1\r\nHost: x\r\n\r\n" }
        batch += "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        batch += "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        socket.send(batch)
        let all = socket.readToEnd()
        var targets: [String] = []
        for line in all.split(separator: "\r\n") where line.hasPrefix("X-Target: ") { targets.append(String(line.dropFirst(10))) }
        #expect(targets == (0..<50).map { "/\($0)" } + ["/chunked", "/last"])
        #expect(all.contains("abcde"))
        #expect(all.contains("Connection: close"))
        await server.shutdown()
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", "400"),
        ("GET / HTTP/1.1\r\n\r\n", "400"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", "413"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 3000))\r\n\r\n", "431"),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"),
    ])
    func badRequestsGetTheParsersStatusAndAClose(input: String, status: String) async throws {
        let server = try await Self.echoServer(HTTPServerConfiguration(maxHeaderBytes: 2048, maxBodyBytes: 1000))
        let socket = try RawSocket(port: server.port)
        socket.send(input)
        let answer = socket.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "))
        #expect(answer.contains("Connection: close"))
        await server.shutdown()
    }

    @Test func asyncHandlerAnswersInOrder() async throws {
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .async { request in
            if request.target == "/slow" { try? await Task.sleep(for: .milliseconds(50)) }
            return HTTPResponse(status: 201, headers: HTTPHeaders([("X-Target", request.target)]))
        })
        let socket = try RawSocket(port: server.port)
        socket.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let all = socket.readToEnd()
        let slow = all.range(of: "X-Target: /slow")
        let fast = all.range(of: "X-Target: /fast")
        #expect(slow != nil && fast != nil && slow!.lowerBound < fast!.lowerBound)
        #expect(all.hasPrefix("HTTP/1.1 201 Created"))
        await server.shutdown()
    }

    @Test func chunkedRequestBodyIsDecoded() async throws {
        let f = try await Fixture.start()
        let s = ScriptedSocket.connect(port: f.server.port)
        s.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let text = String(decoding: s.receive(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.hasSuffix("\r\n\r\nhello world"))
        await f.stop()
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
