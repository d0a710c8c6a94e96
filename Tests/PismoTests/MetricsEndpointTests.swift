import Foundation
import Testing
import Transport
@testable import Pismo

@Suite struct MetricsEndpointTests {
    @Test func servesMetricsAndHealthOverHTTP() async throws {
        let registry = MetricsRegistry()
        registry.counter("pismo_stored_total", help: "Events stored.").increment(by: 7)
        let server = try await MetricsEndpoint.start(address: "127.0.0.1:0", registry: registry)
        let http = IntegrationHTTP.client
        let metrics = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/metrics"), timeout: .seconds(5))
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4")
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("# TYPE pismo_stored_total counter\npismo_stored_total 7\n"))
        let health = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/healthz"), timeout: .seconds(5))
        #expect(health.status == 200)
        let missing = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/nope"), timeout: .seconds(5))
        #expect(missing.status == 404)
        await server.shutdown()
    }

    /// Pipelined scrapes are served from one rendering until it is 100 ms old (a flood of them
    /// costs copies, not renderings); after that the next one renders afresh.
    @Test func metricsAreRenderedAtMostOncePerMaxAge() async throws {
        let registry = MetricsRegistry()
        let counter = registry.counter("pismo_stored_total", help: "Events stored.")
        counter.increment(by: 1)
        let rendered = RenderedMetrics(registry: registry, maxAge: .seconds(1))
        let first = rendered.body
        counter.increment(by: 1)
        #expect(rendered.body == first, "within maxAge the same rendering is served")
        try await Task.sleep(for: .milliseconds(1_100))
        #expect(String(decoding: rendered.body, as: UTF8.self).contains("pismo_stored_total 2\n"), "then a fresh one")
    }

    @Test func readyzFollowsReadinessWhileHealthzStaysLive() async throws {
        let readiness = Readiness()
        let server = try await MetricsEndpoint.start(address: "127.0.0.1:0", registry: MetricsRegistry(), readiness: readiness)
        let base = "http://127.0.0.1:\(server.port)"
        func get(_ path: String) async throws -> (Int, String) {
            let response = try await IntegrationHTTP.client.execute(HTTPRequest(method: "GET", url: base + path), timeout: .seconds(5))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        #expect(try await get("/readyz") == (503, "starting\n"))
        #expect(try await get("/healthz") == (200, "ok\n"))
        readiness.markReady()
        #expect(try await get("/readyz") == (200, "ready\n"))
        readiness.markDraining()
        #expect(try await get("/readyz") == (503, "draining\n"))
        #expect(try await get("/healthz") == (200, "ok\n"))
        readiness.markReady()  // draining is for good
        #expect(try await get("/readyz") == (503, "draining\n"))
        await server.shutdown()
    }

    @Test func readyzWithoutReadinessIsAlwaysReady() async throws {
        let server = try await MetricsEndpoint.start(address: "127.0.0.1:0", registry: MetricsRegistry(), health: { false })
        let ready = try await IntegrationHTTP.client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/readyz"),
                                                             timeout: .seconds(5))
        #expect(ready.status == 200)
        let health = try await IntegrationHTTP.client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/healthz"),
                                                              timeout: .seconds(5))
        #expect(health.status == 503)
        await server.shutdown()
    }

    @Test func readinessMarksAreOneWay() async {
        let readiness = Readiness()
        #expect(readiness.state == .starting && !readiness.isReady)
        // Concurrent marks from many tasks: the state only ever moves forward.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 { group.addTask { readiness.markReady() } }
        }
        #expect(readiness.state == .ready && readiness.isReady)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<64 { group.addTask { index == 32 ? readiness.markDraining() : readiness.markReady() } }
        }
        #expect(readiness.state == .draining && !readiness.isReady)
    }

    @Test func parsesAddresses() throws {
        #expect(try MetricsEndpoint.parseAddress("0.0.0.0:9101") == ("0.0.0.0", 9101))
        #expect(try MetricsEndpoint.parseAddress("[::1]:9102") == ("::1", 9102))
        #expect(try MetricsEndpoint.parseAddress(":9000") == ("0.0.0.0", 9000))
        #expect(throws: PismoError.self) { try MetricsEndpoint.parseAddress("localhost") }
        #expect(throws: PismoError.self) { try MetricsEndpoint.parseAddress("127.0.0.1:99999") }
    }
}
