#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Transport

/// What the resolver makes of answers from a scripted server on 127.0.0.1: lifetimes honoured
/// within bounds, failures remembered, CNAMEs followed, forged answers ignored, the cache bounded.
@Suite struct ResolverAnswerTests {
    @Test func answersAreKeptForTheirTTLWithinTheBounds() async throws {
        let server = ScriptedDNSServer { query in
            let ttl: UInt32 = query.name.hasPrefix("zero") ? 0 : query.name.hasPrefix("day") ? 86400 : 1
            return [DNSReply.answer(query, [.a(query.name, "127.0.0.9", ttl: ttl), .aaaa(query.name, 9, ttl: ttl)])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address]) {
            $0.minimumTTL = .milliseconds(300)
            $0.maximumTTL = .seconds(2)
        }
        // IPv4 first, then IPv6; the port is the caller's.
        let answer = try #require(await resolver.answer("one.ttl.test")).get()
        #expect(answer.map(\.description) == ["127.0.0.9:443", "[::9]:443"])

        for name in ["one.ttl.test", "zero.ttl.test", "day.ttl.test"] {
            _ = await resolver.answer(name)
            #expect(server.queries(for: name) == 2)   // A and AAAA once; the second call was a hit
        }
        try await Task.sleep(for: .milliseconds(1300))
        for name in ["one.ttl.test", "zero.ttl.test", "day.ttl.test"] { _ = await resolver.answer(name) }
        #expect(server.queries(for: "one.ttl.test") == 4)    // its 1 s TTL ran out
        #expect(server.queries(for: "zero.ttl.test") == 4)   // 0 became the 300 ms minimum, not "ask every time"
        #expect(server.queries(for: "day.ttl.test") == 2)    // a day, clamped to 2 s: not yet
        try await Task.sleep(for: .milliseconds(1000))
        _ = await resolver.answer("day.ttl.test")
        #expect(server.queries(for: "day.ttl.test") == 4)
    }

    @Test func aNameThatDoesNotExistIsNotAskedAgainUntilItsNegativeTTL() async throws {
        let server = ScriptedDNSServer { query in
            [DNSReply.answer(query, [], code: DNSResponseCode.nameError, authority: [.soa("test", ttl: 3600, minimum: 30)])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address])
        for _ in 0..<5 {
            #expect(await resolver.answer("gone.test")?.failure == .dnsFailure(host: "gone.test"))
        }
        #expect(server.queries(for: "gone.test") == 2)
    }

    @Test func aFailingServerIsRememberedAndTheNextServerAsked() async throws {
        let failing = ScriptedDNSServer { [DNSReply.answer($0, [], code: DNSResponseCode.serverFailure)] }
        let working = ScriptedDNSServer { [DNSReply.answer($0, [.a($0.name, "127.0.0.3", ttl: 60)])] }
        defer { failing.stop(); working.stop() }
        let resolver = Resolver.testing([failing.address, working.address])
        #expect(try await resolver.answer("svc.test")?.get().map(\.host) == ["127.0.0.3"])

        let alone = Resolver.testing([failing.address])
        #expect(await alone.answer("broken.test")?.failure == .dnsFailure(host: "broken.test"))
        let asked = failing.queries(for: "broken.test")
        #expect(await alone.answer("broken.test")?.failure == .dnsFailure(host: "broken.test"))
        #expect(failing.queries(for: "broken.test") == asked)
    }

    @Test func cnameChainsAreFollowedWithTheShortestTTL() async throws {
        let server = ScriptedDNSServer { query in
            [DNSReply.answer(query, [.cname("www.tenant.test", "edge.cdn.test", ttl: 60),
                                     .cname("edge.cdn.test", "pop7.cdn.test", ttl: 60),
                                     .a("pop7.cdn.test", "127.0.0.7", ttl: 60)])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address])
        #expect(try await resolver.answer("WWW.Tenant.test.")?.get().map(\.host) == ["127.0.0.7"])
        #expect(server.queries(for: "www.tenant.test") == 2)
    }

    @Test func forgedAnswersAreIgnored() async throws {
        // Before the real answer: one with another ID, one for another name, and one that is a query.
        let server = ScriptedDNSServer { query in
            let forgedID = DNSReply.response(id: query.id &+ 1, name: query.name, type: query.type,
                                             answers: query.type == DNSType.a ? [.a(query.name, "127.0.0.66", ttl: 60)] : [])
            let otherName = DNSReply.response(id: query.id, name: "evil.test", type: query.type,
                                              answers: query.type == DNSType.a ? [.a("evil.test", "127.0.0.67", ttl: 60)] : [])
            var notAResponse = DNSReply.answer(query, [.a(query.name, "127.0.0.68", ttl: 60)])
            notAResponse[2] &= 0x7F
            return [forgedID, otherName, notAResponse, DNSReply.answer(query, [.a(query.name, "127.0.0.8", ttl: 60)])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address])
        #expect(try await resolver.answer("bank.test")?.get().map(\.host) == ["127.0.0.8"])
    }

    @Test func aTruncatedAnswerIsAClearFailure() async throws {
        let server = ScriptedDNSServer { query in
            [DNSReply.response(id: query.id, name: query.name, type: query.type, truncated: true)]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address])
        #expect(await resolver.answer("big.test")?.failure == .dnsFailure(host: "big.test"))
    }

    @Test func theCacheIsBounded() async throws {
        let server = ScriptedDNSServer { [DNSReply.answer($0, [.a($0.name, "127.0.0.4", ttl: 300)])] }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address]) { $0.cacheCapacity = 4 }
        for i in 0..<10 { _ = await resolver.answer("client\(i).test") }
        #expect(resolver.cachedNames == 4)
        _ = await resolver.answer("client9.test")   // recent: still cached
        _ = await resolver.answer("client0.test")   // the oldest went first
        #expect(server.queries(for: "client9.test") == 2)
        #expect(server.queries(for: "client0.test") == 4)
    }

    @Test func anExpiredAnswerIsServedWhenAskingAgainFails() async throws {
        let silent = Locked(false)
        let server = ScriptedDNSServer { query in
            silent.withLock { $0 } ? [] : [DNSReply.answer(query, [.a(query.name, "127.0.0.2", ttl: 0)])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address], timeout: .milliseconds(400)) { $0.minimumTTL = .milliseconds(100) }
        #expect(try await resolver.answer("sqs.aws.test")?.get().map(\.host) == ["127.0.0.2"])
        silent.withLock { $0 = true }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await resolver.answer("sqs.aws.test")?.get().map(\.host) == ["127.0.0.2"])
        #expect(server.queries(for: "sqs.aws.test") > 2)   // it did ask again
    }

    @Test func literalsHostsAndLocalhostNeverReachTheServer() async throws {
        let server = ScriptedDNSServer { _ in [] }
        defer { server.stop() }
        var configuration = Resolver.Configuration(nameservers: [server.address],
                                                   hosts: HostsTable(text: "127.0.0.11 moto moto.local # sidecar\n::1 ip6-localhost\n"))
        configuration.timeout = .milliseconds(300)
        let resolver = Resolver(configuration: configuration)
        let immediate = ["127.0.0.1", "[::1]", "localhost", "LocalHost.", "api.localhost", "moto", "ip6-localhost"]
            .map { PendingResolution(resolver, $0, port: 80) }
        #expect(immediate.map { $0.hosts ?? [] } == [["127.0.0.1"], ["::1"], ["127.0.0.1", "::1"], ["127.0.0.1", "::1"],
                                                      ["127.0.0.1", "::1"], ["127.0.0.11"], ["::1"]])
        #expect(PendingResolution(resolver, "a..b").error == .dnsFailure(host: "a..b"))
        #expect(server.queries(for: "moto") == 0 && server.queries(for: "localhost") == 0)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
