import Glibc
import Testing
@testable import Transport

/// What one client can cost the server (issue 15, H6): answers it never reads stay bounded,
/// an endless request line or header line is refused at once, a GET-only route takes no body, and
/// connections beyond the cap evict the longest idle instead of locking newcomers out.
/// Out of descriptors (EMFILE): `ListenerOutOfDescriptorsTests` in PismoTests (needs a child process).
@Suite struct HTTPServerLimitsTests {
    /// Answers 32 KiB to every request.
    static func bigAnswerServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                                group: EventLoopGroup? = nil) async throws -> HTTPServer {
        var configuration = HTTPServerConfiguration()
        configure(&configuration)
        let body = [UInt8](repeating: 0x61, count: 32 * 1024)
        return try await HTTPServer.start(configuration: configuration, group: group, handler: .sync { _ in
            HTTPResponse(status: 200, body: body)
        })
    }

    @Test func aClientThatNeverReadsStopsBeingAnsweredUntilItReads() async throws {
        let server = try await Self.bigAnswerServer()
        let socket = try RawSocket(port: server.port)
        // 2000 pipelined requests (68 KB, within the kernel's socket buffers, so the blocking send
        // returns) ask for 62 MiB of answers; nothing is read yet.
        let requests = 2000
        socket.send(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: requests))
        try await Task.sleep(for: .milliseconds(500))
        let servedWhileNotReading = server.requestsServed
        // What is answered is what fits in 64 KiB of queued output plus the kernel's socket
        // buffers; without the cap every request would be answered into memory.
        #expect(servedWhileNotReading < requests / 2, "answered \(servedWhileNotReading) of \(requests) without a read")
        // Once the client reads, the requests left in the buffer are answered, in order. (Reading
        // with a deadline: the client sends nothing more, it could block on a full socket.)
        let answers = Self.readAnswers(socket, count: requests)
        #expect(answers == requests, "answered \(answers) of \(requests) once the client read")
        await server.shutdown()
    }

    /// Reads `count` identical-length answers of `bigAnswerServer` (or until 5 s pass without a
    /// byte) and returns how many arrived whole, each starting with a 200 status line.
    static func readAnswers(_ socket: RawSocket, count: Int) -> Int {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var answerLength = 0
        while answerLength == 0 || received.count < count * answerLength {
            let n = recv(socket.fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            received += chunk[..<n]
            if answerLength == 0, received.count >= 4,
               let end = (3..<received.count).first(where: { received[$0 - 3..<$0 + 1].elementsEqual([13, 10, 13, 10]) }) {
                answerLength = end + 1 + 32 * 1024
            }
        }
        guard answerLength > 0 else { return 0 }
        let status = Array("HTTP/1.1 200 OK\r\n".utf8)
        return stride(from: 0, to: received.count - answerLength + 1, by: answerLength)
            .prefix { received[$0..<$0 + status.count].elementsEqual(status) }.count
    }

    @Test(arguments: ["request line", "header line"])
    func anEndlessLineIsRefusedAtOnce(which: String) async throws {
        let (input, status) = which == "request line"
            ? ("GET /" + String(repeating: "a", count: 40_000), "414")
            : ("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + String(repeating: "b", count: 40_000), "431")
        // The header timeout is far beyond the socket's 5 s receive timeout: only an answer given
        // as soon as the limit is passed can be read here.
        let server = try await HTTPServerWireTests.echoServer(
            HTTPServerConfiguration(maxHeaderBytes: 32 * 1024, headerReadTimeout: .seconds(60)))
        let socket = try RawSocket(port: server.port)
        socket.send(input)
        let answer = socket.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "got \(answer.prefix(40))")
        #expect(answer.contains("Connection: close"))
        await server.shutdown()
    }

    @Test func aGetOnlyRouteRefusesABodyBeforeReadingIt() async throws {
        let server = try await HTTPServerWireTests.echoServer(HTTPServerConfiguration(
            bodyLimit: { method, path in method == "POST" && path == "/in" ? 1024 : 0 }))
        let get = try RawSocket(port: server.port)
        get.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        #expect(get.readToEnd().hasPrefix("HTTP/1.1 413 "))
        let chunked = try RawSocket(port: server.port)
        chunked.send("GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(chunked.readToEnd().hasPrefix("HTTP/1.1 413 "))
        let post = try RawSocket(port: server.port)
        post.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        #expect(post.readToEnd().hasPrefix("HTTP/1.1 200 "))
        let big = try RawSocket(port: server.port)
        big.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
        #expect(big.readToEnd().hasPrefix("HTTP/1.1 413 "))
        await server.shutdown()
    }

    @Test func pastTheCapANewcomerEvictsTheLongestIdleConnection() async throws {
        let group = try EventLoopGroup(threads: 1)
        let server = try await HTTPServerWireTests.echoServer(HTTPServerConfiguration(maxConnections: 4), group: group)
        var idle: [RawSocket] = []
        for _ in 0..<4 {
            idle.append(try RawSocket(port: server.port))
            #expect(try await holds(within: .seconds(5)) { server.openConnections == idle.count })
        }
        try await Task.sleep(for: .milliseconds(400))  // past the eviction grace
        let newcomer = try RawSocket(port: server.port)
        newcomer.send("GET /fresh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(newcomer.readToEnd().contains("X-Target: /fresh"))
        #expect(server.evictedConnections == 1)
        #expect(idle[0].readToEnd().isEmpty, "the oldest idle connection was closed")
        #expect(server.openConnections <= 4)
        await server.shutdown()
        group.syncShutdown()
    }
}
