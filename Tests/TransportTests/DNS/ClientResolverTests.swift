import Testing
@testable import Transport

/// The resolver seen through `HTTPClient`, as the services wire it: an AWS client and a webhook
/// client with a resolver each, both pointed at a scripted name server on 127.0.0.1 that never
/// answers for one tenant's domain and sends every other name to 127.0.0.1.
@Suite struct ClientResolverTests {
    @Test func webhooksToAHangingTenantFailWithADNSTimeoutWhileAWSRequestsGoThrough() async throws {
        let dns = ScriptedDNSServer { query in
            query.name.hasSuffix("hang.test") ? [] : [DNSReply.answer(query, [.a(query.name, "127.0.0.1", ttl: 60)])]
        }
        defer { dns.stop() }
        let f = try await Fixture.start(loops: 1)
        let webhooks = HTTPClient(group: f.group, resolver: Resolver.testing([dns.address], timeout: .milliseconds(800)))
        let aws = HTTPClient(group: f.group, resolver: Resolver.testing([dns.address]))

        let tenant = Task {
            try await webhooks.execute(HTTPRequest(method: "POST", url: "http://hooks.hang.test:\(f.server.port)/"), timeout: .seconds(10))
        }
        for i in 0..<5 {
            let response = try await aws.execute(HTTPRequest(method: "GET", url: "http://dynamodb.aws.test:\(f.server.port)/\(i)"), timeout: .seconds(5))
            #expect(response.status == 200)
        }
        // The tenant's request ends with the resolver's error, long before its own 10 s timeout.
        await #expect(throws: HTTPClientError.dnsTimeout(host: "hooks.hang.test")) { _ = try await tenant.value }
        webhooks.shutdown()
        aws.shutdown()
        await f.stop()
    }
}
