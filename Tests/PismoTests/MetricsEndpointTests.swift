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
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("pismo_stored_total 7\n"))
        let health = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/healthz"), timeout: .seconds(5))
        #expect(health.status == 200)
        let missing = try await http.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/nope"), timeout: .seconds(5))
        #expect(missing.status == 404)
        await server.shutdown()
    }

    @Test func parsesAddresses() throws {
        #expect(try MetricsEndpoint.parseAddress("0.0.0.0:9101") == ("0.0.0.0", 9101))
        #expect(try MetricsEndpoint.parseAddress("[::1]:9102") == ("::1", 9102))
        #expect(try MetricsEndpoint.parseAddress(":9000") == ("0.0.0.0", 9000))
        #expect(throws: PismoError.self) { try MetricsEndpoint.parseAddress("localhost") }
        #expect(throws: PismoError.self) { try MetricsEndpoint.parseAddress("127.0.0.1:99999") }
    }
}
