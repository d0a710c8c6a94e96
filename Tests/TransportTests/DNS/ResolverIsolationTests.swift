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
        let webhooks = Resolver.testing([server.address], timeout: .seconds(2))
        let aws = Resolver.testing([server.address], timeout: .seconds(2))

        let hanging = (0..<3).map { _ in PendingResolution(webhooks, "tenant.hang.test") }
        let otherTenant = await webhooks.answer("tenant.ok.test")
        let awsEndpoint = await aws.answer("dynamodb.eu-west-1.aws.test")
        // Both answered while the hanging tenant's lookup was still waiting for its servers.
        #expect(hanging.allSatisfy { !$0.isAnswered })
        #expect(try otherTenant?.get().map(\.host) == ["127.0.0.5"])
        #expect(try awsEndpoint?.get().map(\.host) == ["127.0.0.5"])

        for pending in hanging {
            _ = await pending.wait()
            #expect(pending.error == .dnsTimeout(host: "tenant.hang.test"))
        }
        // Three callers, one lookup: each try asks A and AAAA once.
        let asked = server.queries(for: "tenant.hang.test")
        #expect(asked > 0 && asked <= 2 * 10)

        // The next event for that tenant fails at once from the cache, without asking again.
        let again = PendingResolution(webhooks, "tenant.hang.test")
        #expect(again.error == .dnsTimeout(host: "tenant.hang.test"))
        #expect(server.queries(for: "tenant.hang.test") == asked)
    }

    @Test func aFullResolverRefusesAtOnceWhileTheOtherResolverCarriesOn() async throws {
        let server = Self.hangingTenantServer()
        defer { server.stop() }
        let webhooks = Resolver.testing([server.address], timeout: .seconds(3)) {
            $0.maxConcurrentLookups = 2
            $0.maxQueuedLookups = 2
        }
        let aws = Resolver.testing([server.address])

        let filling = (0..<4).map { PendingResolution(webhooks, "tenant\($0).hang.test") }
        let refused = PendingResolution(webhooks, "tenant4.hang.test")
        _ = await refused.wait()
        #expect(refused.error == .dnsOverloaded(host: "tenant4.hang.test"))
        #expect(filling.allSatisfy { !$0.isAnswered })
        let load = try await webhooks.load()
        #expect(load.active == 2 && load.queued == 2)
        // The queue is the webhooks' alone: AWS names resolve as if nothing happened.
        #expect(try await aws.answer("sqs.eu-west-1.aws.test")?.get().map(\.host) == ["127.0.0.5"])
        #expect(server.queries(for: "tenant4.hang.test") == 0)
        for pending in filling { _ = await pending.wait() }
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
