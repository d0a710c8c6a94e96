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
            let ttl: UInt32 = query.name.hasPrefix("zero") ? 0 : query.name.hasPrefix("day") ? 86400 : 60
            return [DNSReply.answer(query, [.a(query.name, "127.0.0.9", ttl: ttl), .aaaa(query.name, 9, ttl: ttl)])]
        }
        defer { server.stop() }
        let clock = TestClock()
        let resolver = Resolver.testing([server.address], clock: clock)   // the default bounds: 5 s … 300 s
        // IPv4 first, then IPv6; the port is the caller's.
        let answer = try #require(await resolver.answer("minute.ttl.test")).get()
        #expect(answer.map(\.description) == ["127.0.0.9:443", "[::9]:443"])

        let names = ["zero.ttl.test", "minute.ttl.test", "day.ttl.test"]
        func askAll() async { for name in names { _ = await resolver.answer(name) } }
        func queries() -> [Int] { names.map { server.queries(for: $0) / 2 } }   // lookups: A and AAAA each
        await askAll()
        await askAll()
        #expect(queries() == [1, 1, 1])
        clock.advance(.seconds(4))
        await askAll()
        #expect(queries() == [1, 1, 1])   // TTL 0 became the 5 s minimum, not "ask every time"
        clock.advance(.seconds(2))
        await askAll()
        #expect(queries() == [2, 1, 1])
        clock.advance(.seconds(55))
        await askAll()
        #expect(queries() == [3, 2, 1])   // 61 s: the minute's record is asked again
        clock.advance(.seconds(240))
        await askAll()
        #expect(queries() == [4, 3, 2])   // 301 s: a day, clamped to the 300 s maximum
    }

    @Test func aNameThatDoesNotExistIsNotAskedAgainUntilItsNegativeTTL() async throws {
        let server = ScriptedDNSServer { query in
            [DNSReply.answer(query, [], code: DNSResponseCode.nameError, authority: [.soa("test", ttl: 3600, minimum: 30)])]
        }
        defer { server.stop() }
        let clock = TestClock()
        let resolver = Resolver.testing([server.address], clock: clock)
        for _ in 0..<5 {
            #expect(await resolver.answer("gone.test")?.failure == .dnsFailure(host: "gone.test"))
        }
        #expect(server.queries(for: "gone.test") == 2)
        clock.advance(.seconds(29))
        _ = await resolver.answer("gone.test")
        #expect(server.queries(for: "gone.test") == 2)
        clock.advance(.seconds(2))   // the SOA's minimum, 30 s, has passed
        _ = await resolver.answer("gone.test")
        #expect(server.queries(for: "gone.test") == 4)
    }

    @Test func aFailingServerIsRememberedAndTheNextServerAsked() async throws {
        let failing = ScriptedDNSServer { [DNSReply.answer($0, [], code: DNSResponseCode.serverFailure)] }
        let working = ScriptedDNSServer { [DNSReply.answer($0, [.a($0.name, "127.0.0.3", ttl: 60)])] }
        defer { failing.stop(); working.stop() }
        let resolver = Resolver.testing([failing.address, working.address])
        #expect(try await resolver.answer("svc.test")?.get().map(\.host) == ["127.0.0.3"])

        let clock = TestClock()
        let alone = Resolver.testing([failing.address], clock: clock)
        #expect(await alone.answer("broken.test")?.failure == .dnsFailure(host: "broken.test"))
        let asked = failing.queries(for: "broken.test")
        #expect(asked == 2)   // every server (the one) failed: no asking it again until the deadline
        #expect(await alone.answer("broken.test")?.failure == .dnsFailure(host: "broken.test"))
        #expect(failing.queries(for: "broken.test") == asked)
        clock.advance(.seconds(11))   // the failure is remembered 10 s
        _ = await alone.answer("broken.test")
        #expect(failing.queries(for: "broken.test") == 2 * asked)
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

    @Test func aTruncatedAnswerIsAskedAgainOverTCP() async throws {
        // Over UDP only the first of 100 addresses fits (and TC is set); TCP carries them all.
        let server = ScriptedDNSServer { query in
            let all: [DNSReply.Record] = (1...100).map { .a(query.name, "127.0.1.\($0)", ttl: 60) }
            return query.overTCP ? [DNSReply.answer(query, all)]
                : [DNSReply.response(id: query.id, name: query.name, type: query.type, truncated: true,
                                     answers: query.type == DNSType.a ? [all[0]] : [])]
        }
        defer { server.stop() }
        let resolver = Resolver.testing([server.address])
        let hosts = try #require(try await resolver.answer("big.test")?.get().map(\.host))
        #expect(hosts == (1...100).map { "127.0.1.\($0)" })
    }

    @Test func aTruncatedAnswerWithoutTCPIsAClearFailure() async throws {
        let server = ScriptedDNSServer { query in
            query.overTCP ? [] : [DNSReply.response(id: query.id, name: query.name, type: query.type, truncated: true)]
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
            silent.withLock { $0 } ? [] : [DNSReply.answer(query, [.a(query.name, "127.0.0.2", ttl: 60)])]
        }
        defer { server.stop() }
        let clock = TestClock()
        let resolver = Resolver.testing([server.address], timeout: .milliseconds(400), clock: clock)
        #expect(try await resolver.answer("sqs.aws.test")?.get().map(\.host) == ["127.0.0.2"])
        silent.withLock { $0 = true }
        clock.advance(.seconds(120))   // expired a minute ago
        #expect(try await resolver.answer("sqs.aws.test")?.get().map(\.host) == ["127.0.0.2"])
        #expect(server.queries(for: "sqs.aws.test") > 2)   // it did ask again
        clock.advance(.seconds(3600))  // over an hour past its expiry: no longer served
        #expect(await resolver.answer("sqs.aws.test")?.failure == .dnsTimeout(host: "sqs.aws.test"))
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
