import Testing
import Synchronization
@testable import Transport

/// A server on loopback with an echo-ish handler, plus a client sharing the same group.
struct Fixture {
    let group: EventLoopGroup
    let server: HTTPServer
    let client: HTTPClient
    var base: String { "http://127.0.0.1:\(server.port)" }

    static func start(loops: Int = 2, configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                      client: HTTPClient.Configuration = .init(),
                      handler: HTTPServerHandler = .sync(Fixture.echo)) async throws -> Fixture {
        let group = EventLoopGroup(loopCount: loops)
        var config = HTTPServer.Configuration()
        configure(&config)
        let server = HTTPServer(group: group, configuration: config, handler: handler)
        try await server.start()
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
        group.shutdown()
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
        #expect(try await f.server.acceptedConnections() == 1)
        #expect(try await f.client.connectionsOpened(to: f.base) == 1)
        await f.stop()
    }
}
