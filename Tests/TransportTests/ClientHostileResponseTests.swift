#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Transport

/// What a hostile endpoint can make the client do (issue 15, M3/M4/L5): with
/// `ResponseReading.excerpt` it reads 1 KB of a huge or gzip-bomb body and stops (no
/// Accept-Encoding, nothing inflated); a head dripped one byte at a time is parsed once per line;
/// interim 1xx answers are skipped in a loop, a flood of them is refused.
@Suite struct ClientHostileResponseTests {
    /// Serves one connection: reads a request, sends `answer`, then keeps the connection open
    /// (a peer that would go on sending) until the client closes it. Returns the port.
    static func scripted(_ answer: [UInt8], seenHead: (@Sendable (String) -> Void)? = nil) -> Int {
        let (listener, port) = ScriptedSocket.listen()
        onThread {
            guard let peer = listener.accept() else { return }
            let head = peer.receiveRequest() ?? ""
            seenHead?(head)
            peer.send(answer)
            _ = peer.receive()  // until the client closes (or 5 s)
            peer.close()
            listener.close()
        }
        return port
    }

    @Test func anExcerptReadsTheStartOfAHugeBodyAndSendsNoAcceptEncoding() async throws {
        let head = Locked("")
        let body = [UInt8](repeating: 0x7A, count: 8 * 1024 * 1024)
        let port = Self.scripted(Array("HTTP/1.1 500 Oops\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body,
                                 seenHead: { text in head.withLock { $0 = text } })
        let client = HTTPClient()
        let response = try await client.execute(
            HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/hook", body: Array("{}".utf8), responseReading: .webhookExcerpt),
            timeout: .seconds(10))
        #expect(response.status == 500)
        #expect(response.body == Array(body.prefix(1024)))
        #expect(response.bodyIsExcerpt)
        #expect(!head.withLock { $0 }.lowercased().contains("accept-encoding"))
        client.shutdown()
    }

    @Test func aGzipBombIsNeverInflatedForAnExcerpt() async throws {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 32 * 1024 * 1024))
        let port = Self.scripted(Array("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n".utf8) + bomb)
        let client = HTTPClient()
        let response = try await client.execute(
            HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/", responseReading: .webhookExcerpt), timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(response.body == Array(bomb.prefix(1024)), "the raw first KB, not 32 MiB of zeros")
        client.shutdown()
    }

    @Test func aShortBodyIsDrainedAndTheConnectionReused() async throws {
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .sync { _ in
            HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: 10_000))
        })
        let client = HTTPClient()
        let url = "http://127.0.0.1:\(server.port)/"
        for _ in 0..<3 {
            let r = try await client.execute(HTTPRequest(method: "POST", url: url, responseReading: .webhookExcerpt), timeout: .seconds(5))
            #expect(r.body.count == 1024 && r.bodyIsExcerpt)
        }
        #expect(try await client.connectionsOpened(to: url) == 1, "10 KB is within the drain budget: the connection is kept")
        client.shutdown()
        await server.shutdown()
    }

    @Test func aDripFedHeadIsParsedOncePerLineNotOncePerByte() {
        var head = "HTTP/1.1 200 OK\r\n"
        while head.utf8.count < 60 * 1024 { head += "X-Filler: " + String(repeating: "f", count: 990) + "\r\n" }
        head += "Content-Length: 0\r\n\r\n"
        let bytes = Array(head.utf8)
        let lines = bytes.filter { $0 == 0x0A }.count
        let parser = ResponseHeadParser()
        var complete = false
        for end in 1...bytes.count where !complete {
            bytes[..<end].withUnsafeBytes { buf in
                if case .complete = parser.parseResponse(buf, requestWasHead: false) { complete = true }
                if case .error(let e) = parser.parseResponse(buf, requestWasHead: false) { Issue.record("error \(e.name)") }
            }
        }
        #expect(complete)
        #expect(parser.parserRuns <= lines + 1, "\(parser.parserRuns) parser runs for \(lines) lines and \(bytes.count) bytes")
    }

    @Test func interimAnswersAreSkippedAndAFloodOfThemRefused() async throws {
        let few = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 3) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let flood = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 10_000) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let client = HTTPClient()
        let fine = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(Self.scripted(Array(few.utf8)))/"),
                                            timeout: .seconds(5))
        #expect(fine.status == 200 && fine.body == Array("ok".utf8))
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(Self.scripted(Array(flood.utf8)))/"),
                                         timeout: .seconds(5))
        }
        client.shutdown()
    }
}
