import Foundation
import Glibc
import Synchronization
import Testing
@testable import Transport

@Suite struct HTTPClientTests {
    static func server(
        _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(), _ handler: @escaping @Sendable (HTTPServerRequest) -> HTTPResponse = Self.echo
    ) async throws -> HTTPServer {
        try await HTTPServer.start(configuration: configuration, handler: .sync(handler))
    }

    @Sendable static func echo(_ request: HTTPServerRequest) -> HTTPResponse {
        HTTPResponse(status: 200, headers: HTTPHeaders([("X-Target", request.target), ("X-Method", request.method)]), body: request.body)
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let server = try await Self.server()
        let client = try HTTPClient()
        for i in 0..<10 {
            let response = try await client.execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/\(i)", body: Array("n\(i)".utf8)), timeout: .seconds(5))
            #expect(response.status == 200)
            #expect(response.headers["X-Target"] == "/\(i)")
            #expect(response.body == Array("n\(i)".utf8))
        }
        #expect(server.acceptedConnections == 1)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func connectionCloseFromTheServerIsHonoured() async throws {
        let server = try await Self.server { request in
            HTTPResponse(status: 200, headers: HTTPHeaders([("Connection", "close")]), body: Array(request.target.utf8))
        }
        let client = try HTTPClient()
        for i in 0..<5 {
            let response = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/c\(i)"), timeout: .seconds(5))
            #expect(response.body == Array("/c\(i)".utf8))
        }
        #expect(server.acceptedConnections == 5)
        #expect(client.connectionCounts(for: "http://127.0.0.1:\(server.port)/").total == 0)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func closeDelimitedResponseIsReadToTheEnd() async throws {
        let listener = try RawListener()
        let client = try HTTPClient()
        let url = "http://127.0.0.1:\(listener.port)/"
        async let response = client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5))
        let peer = try await listener.acceptOne()
        _ = await peer.read(untilOccurrences: 1, of: "\r\n\r\n")
        peer.send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        peer.shutdownWrite()
        #expect(try await response.body == Array("until the end".utf8))
        await client.shutdown()
    }

    @Test func serverClosingAnIdlePooledConnectionIsSurvived() async throws {
        let server = try await Self.server(HTTPServerConfiguration(idleTimeout: .milliseconds(100)))
        let client = try HTTPClient()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).status == 200)
        try await Task.sleep(for: .milliseconds(2200))  // the server's 1 s sweep closes it
        #expect(server.openConnections == 0)
        #expect(try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).status == 200)
        #expect(server.acceptedConnections == 2)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func staleConnectionIsRetriedOnceForIdempotentRequests() async throws {
        // A raw server that answers one request per connection but claims keep-alive, then closes.
        let listener = try RawListener()
        let client = try HTTPClient()
        let url = "http://127.0.0.1:\(listener.port)/"
        async let first = client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5))
        let peer1 = try await listener.acceptOne()
        _ = await peer1.read(untilOccurrences: 1, of: "\r\n\r\n")
        peer1.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na")
        #expect(try await first.body == [UInt8(ascii: "a")])
        // Closed while the client holds it idle: the pool must not hand out a dead connection.
        peer1.close()
        try await Task.sleep(for: .milliseconds(50))
        async let second = client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5))
        let peer2 = try await listener.acceptOne()
        _ = await peer2.read(untilOccurrences: 1, of: "\r\n\r\n")
        peer2.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")
        #expect(try await second.body == [UInt8(ascii: "b")])
        await client.shutdown()
    }

    @Test func chunkedAndGzipResponsesAreDecoded() async throws {
        let text = Array(String(repeating: "pismo ", count: 2000).utf8)
        let gzipped = try Gzip.compress(text)
        let server = try await Self.server { request in
            if request.target == "/gzip" {
                return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Encoding", "gzip")]), body: gzipped)
            }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Transfer-Encoding", "chunked")]), body: Array("4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n".utf8))
        }
        let client = try HTTPClient()
        let chunked = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/chunked"), timeout: .seconds(5))
        #expect(chunked.body == Array("abcdefg".utf8))
        let decoded = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/gzip"), timeout: .seconds(5))
        #expect(decoded.body == text)
        #expect(decoded.headers["Content-Encoding"] == nil)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func gzipRequestBodiesAreSentCompressed() async throws {
        let server = try await Self.server { request in
            HTTPResponse(status: 200, headers: HTTPHeaders([("X-Encoding", request.headers["Content-Encoding"] ?? "none")]), body: (try? Gzip.decompress(request.body)) ?? [])
        }
        let client = try HTTPClient(options: HTTPClientOptions(compressRequestBodies: true))
        let payload = [UInt8](repeating: 0x41, count: 50_000)
        let response = try await client.execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/", body: payload), timeout: .seconds(5))
        #expect(response.headers["X-Encoding"] == "gzip")
        #expect(response.body == payload)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func tenMegabyteBodiesBothWays() async throws {
        let server = try await Self.server(HTTPServerConfiguration(maxBodyBytes: 32 * 1024 * 1024))
        let client = try HTTPClient()
        let payload = (0..<(10 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let response = try await client.execute(HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/big", body: payload), timeout: .seconds(30))
        #expect(response.body.count == payload.count)
        #expect(response.body == payload)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func responseOverTheCapIsRefused() async throws {
        let server = try await Self.server { _ in HTTPResponse(status: 200, body: [UInt8](repeating: 1, count: 5000)) }
        let client = try HTTPClient(options: HTTPClientOptions(maxResponseBytes: 1000))
        await #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
            try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"), timeout: .seconds(5))
        }
        await client.shutdown()
        await server.shutdown()
    }

    @Test func silentServerHitsTheRequestTimeout() async throws {
        let listener = try RawListener()
        let client = try HTTPClient()
        let start = ContinuousClock.now
        await #expect(throws: HTTPClientError.requestTimeout(host: "127.0.0.1")) {
            try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(listener.port)/"), timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        await client.shutdown()
    }

    @Test func refusedConnectionNamesTheHost() async throws {
        let listener = try RawListener()
        let port = listener.port
        listener.close()
        let client = try HTTPClient()
        do {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(5))
            Issue.record("expected a refusal")
        } catch let error as HTTPClientError {
            #expect(error == .connectionRefused(host: "127.0.0.1", port: port))
            #expect(error.description.contains("127.0.0.1:\(port)"))
        }
        await client.shutdown()
    }

    @Test func headerInjectionIsRejectedBeforeSending() async throws {
        let server = try await Self.server()
        let client = try HTTPClient()
        await #expect(throws: HTTPClientError.invalidHeader(name: "X-Evil")) {
            try await client.execute(
                HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/", headers: HTTPHeaders([("X-Evil", "a\r\nInjected: yes")])), timeout: .seconds(5))
        }
        #expect(server.acceptedConnections == 0)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func twentyThousandRequestsOverSixtyFourConnections() async throws {
        let server = try await Self.server()
        let client = try HTTPClient(options: HTTPClientOptions(maxConnectionsPerHost: 64))
        let url = "http://127.0.0.1:\(server.port)/load"
        let failed = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    var failures = 0
                    for i in 0..<(20_000 / 64 + (worker < 20_000 % 64 ? 1 : 0)) {
                        let body = Array("\(worker)-\(i)".utf8)
                        let response = try? await client.execute(HTTPRequest(method: "POST", url: url, body: body), timeout: .seconds(30))
                        if response?.status != 200 || response?.body != body { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failed == 0)
        #expect(server.requestsServed == 20_000)
        #expect(server.acceptedConnections <= 64)
        await client.shutdown()
        await server.shutdown()
    }

    @Test func queuedRequestsWaitForTheConnectionCap() async throws {
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .async { _ in
            try? await Task.sleep(for: .milliseconds(20))
            return HTTPResponse(status: 200)
        })
        let client = try HTTPClient(options: HTTPClientOptions(maxConnectionsPerHost: 2))
        let url = "http://127.0.0.1:\(server.port)/"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(10)).status } }
            for try await status in group { #expect(status == 200) }
        }
        #expect(server.acceptedConnections <= 2)
        await client.shutdown()
        await server.shutdown()
    }
}

@Suite struct HTTPClientConnectTimeoutTests {
    /// Loopback never drops packets, but a listener whose accept queue is full makes Linux drop
    /// further SYNs, so a connect to it stays in progress: that is our connect-timeout case.
    @Test func connectToAFullBacklogTimesOut() async throws {
        let listener = try RawListener(backlog: 0)
        var fillers: [Int32] = []
        defer { for fd in fillers { close(fd) } }
        for _ in 0..<8 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(listener.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            fillers.append(fd)
        }
        try await Task.sleep(for: .milliseconds(100))
        let client = try HTTPClient(options: HTTPClientOptions(connectTimeout: .milliseconds(300)))
        let start = ContinuousClock.now
        await #expect(throws: HTTPClientError.connectTimeout(host: "127.0.0.1", port: listener.port)) {
            try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(listener.port)/"), timeout: .seconds(5))
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        await client.shutdown()
    }
}

@Suite struct HTTPClientCancellationTests {
    @Test func cancellingTheTaskEndsAWaitingRequest() async throws {
        let listener = try RawListener()
        let client = try HTTPClient()
        let url = "http://127.0.0.1:\(listener.port)/poll"
        let start = ContinuousClock.now
        let task = Task { try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: HTTPClientError.cancelled(host: "127.0.0.1")) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(5))
        await client.shutdown()
    }
}
