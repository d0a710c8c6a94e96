import Testing
@testable import Transport

/// The SSRF guard's classification, on values only: none of these addresses is ever connected to.
@Suite struct DestinationPolicyTests {
    let none = DestinationPolicy()

    private func rule(_ text: String, _ policy: DestinationPolicy = DestinationPolicy()) -> DestinationRule? {
        guard let address = IPAddress(text) else {
            Issue.record("'\(text)' did not parse")
            return nil
        }
        return policy.rule(for: address)
    }

    @Test(arguments: [
        ("127.0.0.1", DestinationRule.loopback), ("127.255.255.254", .loopback),
        ("10.0.0.1", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private),
        ("169.254.169.254", .linkLocal), ("169.254.170.2", .linkLocal), ("169.254.0.1", .linkLocal),
        ("100.64.0.1", .cgnat), ("100.127.255.255", .cgnat), ("100.100.100.200", .cgnat),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
        ("255.255.255.255", .reserved), ("240.0.0.1", .reserved), ("198.18.0.1", .reserved), ("192.0.0.170", .reserved),
    ])
    func ipv4Classes(_ address: String, _ expected: DestinationRule) {
        #expect(rule(address) == expected, "\(address)")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.0", "100.63.255.255",
                      "100.128.0.0", "169.253.255.255", "192.167.255.255", "223.255.255.255", "11.0.0.0", "126.255.255.255", "128.0.0.0"])
    func publicIPv4IsAllowed(_ address: String) {
        #expect(rule(address) == nil, "\(address)")
    }

    @Test(arguments: [
        ("::1", DestinationRule.loopback), ("::", .unspecified),
        ("fc00::1", .private), ("fd12:3456::1", .private), ("fec0::1", .private), ("64:ff9b:1::a00:1", .private),
        ("fe80::1", .linkLocal), ("febf:ffff::1", .linkLocal),
        ("ff02::1", .multicast), ("ff0e::1", .multicast),
        ("100::1", .reserved), ("2001:0:4136:e378::1", .reserved),
    ])
    func ipv6Classes(_ address: String, _ expected: DestinationRule) {
        #expect(rule(address) == expected, "\(address)")
    }

    @Test(arguments: ["2606:4700::1111", "2001:4860:4860::8888", "2a00:1450::1", "fbff:ffff::1", "fe7f::1", "2002:808:808::1",
                      "64:ff9b::808:808", "::ffff:8.8.8.8"])
    func publicIPv6IsAllowed(_ address: String) {
        #expect(rule(address) == nil, "\(address)")
    }

    /// An IPv6 address that leads to an IPv4 address is judged by that address.
    @Test(arguments: [
        ("::ffff:127.0.0.2", DestinationRule.loopback), ("::ffff:7f00:2", .loopback), ("::ffff:169.254.169.254", .linkLocal),
        ("::ffff:10.1.2.3", .private), ("::ffff:0.0.0.0", .unspecified), ("::ffff:100.64.0.1", .cgnat),
        ("::ffff:0:127.0.0.1", .loopback),                              // IPv4-translated
        ("64:ff9b::127.0.0.1", .loopback), ("64:ff9b::a9fe:a9fe", .linkLocal),  // NAT64 well-known prefix
        ("2002:7f00:2::1", .loopback), ("2002:a9fe:a9fe::", .linkLocal), ("2002:c0a8:101::", .private),  // 6to4
        ("::127.0.0.2", .loopback), ("::10.0.0.1", .private), ("::8.8.8.8", .reserved),  // IPv4-compatible, deprecated
    ])
    func embeddedIPv4Forms(_ address: String, _ expected: DestinationRule) {
        #expect(rule(address) == expected, "\(address)")
    }

    /// Every spelling the C library reads as 127.0.0.2 is that address, hence loopback.
    @Test(arguments: ["127.0.0.2", "127.2", "127.0.2", "2130706434", "0177.0.0.2", "0x7f.0.0.2", "0x7f000002", "017700000002",
                      "0x7F.0x0.0.02", "[::ffff:127.0.0.2]"])
    func numericSpellingsOfLoopback(_ spelling: String) throws {
        let address = try #require(IPAddress(spelling))
        #expect(address == .v4(0x7f00_0002) || address == IPAddress("::ffff:127.0.0.2"))
        #expect(none.rule(for: address) == .loopback)
    }

    @Test func metadataSpelledOtherwise() throws {
        for spelling in ["2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.16689662", "[::ffff:a9fe:a9fe]"] {
            #expect(none.rule(for: try #require(IPAddress(spelling))) == .linkLocal, "\(spelling)")
        }
        #expect(none.rule(for: try #require(IPAddress("0"))) == .unspecified)
        #expect(none.rule(for: try #require(IPAddress("10.1"))) == .private)
    }

    @Test func allowListHitsAndMisses() throws {
        let policy = DestinationPolicy(allowed: [try IPNetwork(parsing: "127.0.0.1/32"), try IPNetwork(parsing: "10.20.0.0/16"),
                                                 try IPNetwork(parsing: "fd00:1::/32")])
        #expect(rule("127.0.0.1", policy) == nil)
        #expect(rule("127.0.0.2", policy) == .loopback)
        #expect(rule("127.1", policy) == nil)                 // the spelling of 127.0.0.1
        #expect(rule("::ffff:127.0.0.1", policy) == nil)      // mapped form of an allowed address
        #expect(rule("::ffff:127.0.0.2", policy) == .loopback)
        #expect(rule("10.20.255.255", policy) == nil)
        #expect(rule("10.21.0.0", policy) == .private)
        #expect(rule("fd00:1:ffff::1", policy) == nil)
        #expect(rule("fd00:2::1", policy) == .private)
        #expect(rule("::1", policy) == .loopback)             // an IPv4 entry never allows IPv6 loopback
        #expect(rule("8.8.8.8", policy) == nil)
        let everything = DestinationPolicy(allowed: [try IPNetwork(parsing: "0.0.0.0/0"), try IPNetwork(parsing: "::/0")])
        for address in ["127.0.0.1", "169.254.169.254", "::1", "fe80::1", "::ffff:10.0.0.1"] { #expect(rule(address, everything) == nil) }
    }

    /// A name is refused when any of its addresses is: the connection could go to any of them.
    @Test func oneBadAddressAmongGoodOnesRefusesTheName() throws {
        let policy = DestinationPolicy(allowed: [try IPNetwork(parsing: "127.0.0.1/32")])
        let good = try #require(IPAddress("127.0.0.1")), outside = try #require(IPAddress("8.8.8.8"))
        let bad = try #require(IPAddress("127.0.0.2")), metadata = try #require(IPAddress("169.254.169.254"))
        #expect(policy.refusal(host: "ok.test", addresses: [good, outside]) == nil)
        #expect(policy.refusal(host: "mixed.test", addresses: [good, bad]) ==
                .destinationRefused(host: "mixed.test", address: "127.0.0.2", rule: .loopback))
        #expect(policy.refusal(host: "mixed.test", addresses: [outside, metadata, good]) ==
                .destinationRefused(host: "mixed.test", address: "169.254.169.254", rule: .linkLocal))
        let mapped = try #require(IPAddress("::ffff:127.0.0.2"))
        #expect(policy.refusal(host: "m.test", addresses: [mapped]) ==
                .destinationRefused(host: "m.test", address: "::ffff:127.0.0.2 (= 127.0.0.2)", rule: .loopback))
    }

    @Test func httpsOnlyRefusesPlainHTTP() {
        let policy = DestinationPolicy(httpsOnly: true)
        #expect(policy.refusal(scheme: "http", host: "example.com") == .destinationRefused(host: "example.com", address: "", rule: .httpsOnly))
        #expect(policy.refusal(scheme: "https", host: "example.com") == nil)
        #expect(none.refusal(scheme: "http", host: "example.com") == nil)
    }

    @Test func refusalTextNamesHostAddressAndRule() {
        let error = HTTPClientError.destinationRefused(host: "127.2", address: "127.0.0.2", rule: .loopback)
        #expect(error.description == "destination 127.2 refused: 127.0.0.2 is loopback (127.0.0.0/8, ::1) and not in the allowed networks")
    }
}
