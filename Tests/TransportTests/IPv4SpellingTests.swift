import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Transport

/// Numeric hosts are parsed by `IPv4Spelling`, not by the resolver, and must mean what the C
/// library means by them. Compared with getaddrinfo under AI_NUMERICHOST, which parses and never
/// looks anything up.
@Suite struct IPv4SpellingTests {
    static let spellings = [
        "127.0.0.1", "127.1", "127.0.1", "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7F.1", "0x7f000001", "017700000001",
        "0", "00", "0x", "0x0", "255.255.255.255", "4294967295", "0xffffffff", "1.2.3", "1.2.65535", "1.16777215",
        // refused by both
        "4294967296", "0x100000000", "256.0.0.1", "1.256.0.1", "1.2.65536", "1.16777216", "08", "0.09", "1.2.3.4.5",
        "1..2", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "0xg", "1.2.3.-4", "+1.2.3.4", "", "localhost", "::1", "1e2",
    ]

    @Test(arguments: spellings)
    func agreesWithTheCLibrary(_ text: String) {
        #expect(IPv4Spelling.parse(text) == Self.cLibrary(text), "'\(text)'")
    }

    @Test func examples() {
        #expect(IPv4Spelling.parse("127.2") == 0x7f00_0002)
        #expect(IPv4Spelling.parse("2130706434") == 0x7f00_0002)
        #expect(IPv4Spelling.parse("0177.0.0.2") == 0x7f00_0002)
        #expect(IPv4Spelling.parse("0x7f.0.0.2") == 0x7f00_0002)
        #expect(IPv4Spelling.parse("10.1") == 0x0a00_0001)
        #expect(IPv4Spelling.parse("example.com") == nil)
    }

    /// `SocketAddress(numericHost:)`, which the resolver consults first, connects to the same address.
    @Test func socketAddressUsesTheSpelling() throws {
        let address = try #require(SocketAddress(numericHost: "127.2", port: 8080))
        #expect(address.host == "127.0.0.2")
        #expect(address.port == 8080)
        #expect(SocketAddress(numericHost: "0x7f.1", port: 1)?.host == "127.0.0.1")
        #expect(SocketAddress(numericHost: "[::ffff:127.0.0.2]", port: 1)?.host == "::ffff:127.0.0.2")
    }

    static func cLibrary(_ text: String) -> UInt32? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_flags = AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(text, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        return first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
    }
}
