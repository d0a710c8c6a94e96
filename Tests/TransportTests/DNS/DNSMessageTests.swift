import Testing
@testable import Transport

/// The DNS codec on exact bytes: the query we send, responses with compression, and hostile
/// responses that must be errors, never traps or loops.
@Suite struct DNSMessageTests {
    @Test func aQueryIsOneQuestionWithRecursionDesiredAndEDNS() throws {
        let bytes = try DNSMessage.query(id: 0xBEEF, name: "Api.Example.com.", type: DNSType.aaaa)
        let expected: [UInt8] = [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
                                 3] + Array("Api".utf8) + [7] + Array("Example".utf8) + [3] + Array("com".utf8) + [0,
                                 0, 28, 0, 1,
                                 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        #expect(bytes == expected)
    }

    @Test(arguments: ["", ".", "a..b", String(repeating: "x", count: 64) + ".test",
                      Array(repeating: "abcdefghi", count: 26).joined(separator: ".")])
    func namesThatCannotBeAskedAreRefused(_ name: String) {
        #expect(throws: DNSWireError.self) { try DNSMessage.query(id: 1, name: name, type: DNSType.a) }
    }

    /// www.example.test CNAME → edge.example.test (compressed against the question), then an A.
    static let compressedResponse: [UInt8] = [
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
        3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 4, 0x54, 0x45, 0x53, 0x54, 0,  // @12 www.example.TEST
        0, 1, 0, 1,
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7, 4, 0x65, 0x64, 0x67, 0x65, 0xC0, 16,                    // @46: CNAME edge.<@16>
        0xC0, 46, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 7,                                           // edge.<@46>: A
    ]

    @Test func aCompressedResponseDecodes() throws {
        let response = try DNSMessage.decode(Self.compressedResponse)
        #expect(response.id == 0x1234 && response.isResponse && !response.truncated && response.responseCode == 0)
        #expect(response.questions == [DNSQuestion(name: "www.example.test", type: DNSType.a)])
        #expect(response.answers == [
            DNSRecord(name: "www.example.test", type: DNSType.cname, ttl: 60, data: .cname("edge.example.test")),
            DNSRecord(name: "edge.example.test", type: DNSType.a, ttl: 30, data: .ipv4([127, 0, 0, 7])),
        ])
        #expect(DNSAnswer(response, name: "www.example.test", type: DNSType.a) == .addresses([[127, 0, 0, 7]], ttl: 30))
        #expect(DNSAnswer(response, name: "www.example.test", type: DNSType.aaaa) == .noAddresses(ttl: nil))
    }

    @Test func everyPrefixOfAResponseIsAnErrorNotATrap() {
        for length in 0..<Self.compressedResponse.count {
            #expect(throws: DNSWireError.self) { try DNSMessage.decode(Array(Self.compressedResponse.prefix(length))) }
        }
    }

    @Test func compressionPointersThatLoopOrPointForwardAreErrors() {
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        let selfLoop = header + [0xC0, 12, 0, 1, 0, 1]
        let forward = header + [0xC0, 14, 0, 0, 1, 0, 1]
        let labelThenBack = header + [1, 0x61, 0xC0, 12, 0, 1, 0, 1]   // "a" then back to itself
        let reserved = header + [0x40, 0, 1, 0, 1]
        for bytes in [selfLoop, forward, labelThenBack, reserved] {
            #expect(throws: DNSWireError.self) { try DNSMessage.decode(bytes) }
        }
    }

    @Test func recordsWithTheWrongLengthAreErrors() {
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]
        let shortA = header + [1, 0x61, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3]
        let cnamePastItsData = header + [1, 0x61, 0, 0, 5, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0x62, 0]
        let dataPastTheEnd = header + [1, 0x61, 0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 200, 1]
        for bytes in [shortA, cnamePastItsData, dataPastTheEnd] {
            #expect(throws: DNSWireError.self) { try DNSMessage.decode(bytes) }
        }
    }

    @Test func labelsKeepTheirDotsAndTTLsTheirSign() throws {
        // One label "a.b" (escaped) is not the two labels a, b; a TTL with the top bit set is 0.
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]
        let bytes = header + [3, 0x61, 0x2E, 0x62, 0, 0, 1, 0, 1, 0x80, 0, 0, 5, 0, 4, 127, 0, 0, 1]
        let record = try #require(try DNSMessage.decode(bytes).answers.first)
        #expect(record.name == "a\\.b" && record.ttl == 0)
    }

    @Test func negativeAnswersCarryTheSOALifetimeAndFailuresSayWhy() {
        func response(code: UInt8, truncated: Bool = false, answers: [DNSRecord] = [], authority: [DNSRecord] = []) -> DNSResponse {
            DNSResponse(id: 1, isResponse: true, truncated: truncated, responseCode: code,
                        questions: [DNSQuestion(name: "x.test", type: DNSType.a)], answers: answers, authority: authority)
        }
        let soa = DNSRecord(name: "test", type: DNSType.soa, ttl: 900, data: .soa(minimum: 60))
        #expect(DNSAnswer(response(code: 3, authority: [soa]), name: "x.test", type: DNSType.a) == .noAddresses(ttl: 60))
        #expect(DNSAnswer(response(code: 0, authority: [soa]), name: "x.test", type: DNSType.a) == .noAddresses(ttl: 60))
        #expect(DNSAnswer(response(code: 2), name: "x.test", type: DNSType.a) == .serverFailure("response code 2"))
        #expect(DNSAnswer(response(code: 0, truncated: true), name: "x.test", type: DNSType.a) == .serverFailure("truncated answer"))
        let loop = [DNSRecord(name: "x.test", type: DNSType.cname, ttl: 5, data: .cname("y.test")),
                    DNSRecord(name: "y.test", type: DNSType.cname, ttl: 5, data: .cname("x.test"))]
        #expect(DNSAnswer(response(code: 0, answers: loop), name: "x.test", type: DNSType.a) == .serverFailure("CNAME chain longer than 8"))
        // An address for another name than the one asked (and not reached by a CNAME) is not an answer.
        let unrelated = [DNSRecord(name: "other.test", type: DNSType.a, ttl: 5, data: .ipv4([127, 0, 0, 1]))]
        #expect(DNSAnswer(response(code: 0, answers: unrelated), name: "x.test", type: DNSType.a) == .noAddresses(ttl: nil))
    }
}

/// The pieces around the codec: hosts(5) and resolv.conf(5) parsing (the LRU order is `LRUCacheTests`).
@Suite struct ResolverPartsTests {
    @Test func resolvConfGivesUpToThreeNameserversAndDefaultsToLoopback() {
        let text = "# comment\nsearch corp.test\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\noptions ndots:2\nnameserver 127.0.0.54\nnameserver 127.0.0.55\nnameserver bogus\n"
        #expect(ResolvConf.nameservers(text: text).map(\.description) == ["127.0.0.53:53", "[fe80::1]:53", "127.0.0.54:53"])
        #expect(ResolvConf.nameservers(text: "").map(\.description) == ["127.0.0.1:53"])
    }

    @Test func hostsLinesMapNamesCaseInsensitivelyIPv4First() {
        let hosts = HostsTable(text: "::1 db\n127.0.0.20 DB db.internal # primary\n# 127.0.0.21 commented\nnot-an-address x\n")
        #expect(hosts.addresses(for: "db")?.map(\.host) == ["127.0.0.20", "::1"])
        #expect(hosts.addresses(for: "db.internal")?.map(\.host) == ["127.0.0.20"])
        #expect(hosts.addresses(for: "commented") == nil && hosts.addresses(for: "x") == nil)
    }
}
