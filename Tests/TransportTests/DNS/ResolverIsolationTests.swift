import Testing
@testable import Transport

/// A tenant whose name servers never answer must not hold up anybody else: not other tenants on
/// the webhook resolver, not AWS on its own resolver, and not its own next events (the failure is
/// remembered). Every lookup ends by its deadline; a full resolver refuses at once.
/// The name servers are `ScriptedDNSServer`s on 127.0.0.1: nothing leaves the machine.
@Suite struct ResolverIsolationTests {
    /// Swallows every query under hang.test; answers everything else with 127.0.0.5.
    static func hangingTenantServer() -> ScriptedDNSServer {
        ScriptedDNSServer { query in
            query.name.hasSuffix("hang.test") ? [] : [DNSReply.answer(query, [.a(query.name, "127.0.0.5", ttl: 60)])]
        }
    }

    @Test func aTenantWhoseDNSHangsDelaysNeitherOtherTenantsNorAWS() async throws {
        let server = Self.hangingTenantServer()
        defer { server.stop() }
        let clock = TestClock()
        let webhooks = Resolver.testing([server.address], timeout: .seconds(2), clock: clock)
        let aws = Resolver.testing([server.address], timeout: .seconds(2))

        let hanging = (0..<3).map { _ in PendingResolution(webhooks, "tenant.hang.test") }
        let otherTenant = PendingResolution(webhooks, "tenant.ok.test")
        let awsEndpoint = PendingResolution(aws, "dynamodb.eu-west-1.aws.test")
        for pending in hanging + [otherTenant, awsEndpoint] { _ = await pending.wait() }
        #expect(otherTenant.hosts == ["127.0.0.5"])
        #expect(awsEndpoint.hosts == ["127.0.0.5"])
        for pending in hanging { #expect(pending.error == .dnsTimeout(host: "tenant.hang.test")) }
        // Both were answered while the hanging tenant's lookup still waited for its servers.
        let hangingEnded = try #require(hanging.compactMap(\.answeredAt).min())
        #expect(try #require(otherTenant.answeredAt) < hangingEnded)
        #expect(try #require(awsEndpoint.answeredAt) < hangingEnded)
        // Three callers, one lookup: each try (at most 10 in 2 s) asks A and AAAA once.
        let asked = server.queries(for: "tenant.hang.test")
        #expect(asked > 0 && asked <= 2 * 10)

        // The next event for that tenant fails at once from the cache, without asking again...
        let again = PendingResolution(webhooks, "tenant.hang.test")
        #expect(again.error == .dnsTimeout(host: "tenant.hang.test"))
        #expect(server.queries(for: "tenant.hang.test") == asked)
        // ...until the failure's 10 s have passed.
        clock.advance(.seconds(11))
        _ = await PendingResolution(webhooks, "tenant.hang.test").wait()
        #expect(server.queries(for: "tenant.hang.test") > asked)
    }

    @Test func aFullResolverRefusesAtOnceWhileTheOtherResolverCarriesOn() async throws {
        let server = Self.hangingTenantServer()
        defer { server.stop() }
        let webhooks = Resolver.testing([server.address], timeout: .seconds(2)) {
            $0.maxConcurrentLookups = 2
            $0.maxQueuedLookups = 2
        }
        let aws = Resolver.testing([server.address])

        let filling = (0..<4).map { PendingResolution(webhooks, "tenant\($0).hang.test") }
        let refused = PendingResolution(webhooks, "tenant4.hang.test")
        let awsEndpoint = PendingResolution(aws, "sqs.eu-west-1.aws.test")
        for pending in filling + [refused, awsEndpoint] { _ = await pending.wait() }
        #expect(refused.error == .dnsOverloaded(host: "tenant4.hang.test"))
        #expect(server.queries(for: "tenant4.hang.test") == 0)
        for (i, pending) in filling.enumerated() { #expect(pending.error == .dnsTimeout(host: "tenant\(i).hang.test")) }
        // Refused at once, not after waiting for a turn; and the queue is the webhooks' alone:
        // the AWS name resolved while it was full.
        let firstSlotFreed = try #require(filling.compactMap(\.answeredAt).min())
        #expect(try #require(refused.answeredAt) < firstSlotFreed)
        #expect(awsEndpoint.hosts == ["127.0.0.5"])
        #expect(try #require(awsEndpoint.answeredAt) < firstSlotFreed)
    }

    @Test func everyLookupEndsByItsTimeoutQueuedOnesIncluded() async throws {
        let server = Self.hangingTenantServer()
        defer { server.stop() }
        let timeout = 0.5
        let resolver = Resolver.testing([server.address], timeout: .milliseconds(500)) { $0.maxConcurrentLookups = 1 }
        let running = PendingResolution(resolver, "first.hang.test")
        let queued = PendingResolution(resolver, "second.hang.test")
        for pending in [running, queued] {
            _ = await pending.wait(upTo: 10)
            #expect(pending.error == .dnsTimeout(host: pending === running ? "first.hang.test" : "second.hang.test"))
            // The bound, with generous slack for a loaded machine: never the servers' patience.
            let seconds = try #require(pending.seconds)
            #expect(seconds >= timeout * 0.9 && seconds < timeout + 3)
        }
    }
}
