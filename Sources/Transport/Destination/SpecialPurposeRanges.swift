/// The address classes a webhook may not reach, as (network, rule) tables. Kept apart from the
/// policy so that the tables read as the specification they are.
enum SpecialPurposeRanges {
    static let ipv4: [(IPNetwork, DestinationRule)] = [
        (net(.v4(0x0000_0000), 8), .unspecified),   // "this network"; 0.0.0.0 reaches the local host on Linux
        (net(.v4(0x7f00_0000), 8), .loopback),
        (net(.v4(0x0a00_0000), 8), .private),
        (net(.v4(0xac10_0000), 12), .private),
        (net(.v4(0xc0a8_0000), 16), .private),
        (net(.v4(0xa9fe_0000), 16), .linkLocal),    // cloud metadata and ECS credential endpoints live here
        (net(.v4(0x6440_0000), 10), .cgnat),
        (net(.v4(0xe000_0000), 4), .multicast),
        (net(.v4(0xf000_0000), 4), .reserved),      // future use, and 255.255.255.255 broadcast
        (net(.v4(0xc000_0000), 24), .reserved),     // IETF protocol assignments (DS-Lite, NAT64 discovery)
        (net(.v4(0xc612_0000), 15), .reserved),     // benchmarking, often used inside networks
    ]

    static let ipv6: [(IPNetwork, DestinationRule)] = [
        (net(.v6(high: 0, low: 0), 128), .unspecified),
        (net(.v6(high: 0, low: 1), 128), .loopback),
        (net(.v6(high: 0xfc00 << 48, low: 0), 7), .private),
        (net(.v6(high: 0xfec0 << 48, low: 0), 10), .private),   // deprecated site-local
        (net(.v6(high: 0x0064_ff9b_0001 << 16, low: 0), 48), .private),  // local-use NAT64 (RFC 8215)
        (net(.v6(high: 0xfe80 << 48, low: 0), 10), .linkLocal),
        (net(.v6(high: 0xff00 << 48, low: 0), 8), .multicast),
        (net(.v6(high: 0x0100 << 48, low: 0), 64), .reserved),  // discard-only
        (net(.v6(high: 0x2001_0000 << 32, low: 0), 32), .reserved),  // Teredo: reaches an obfuscated IPv4 client
    ]

    private static func net(_ address: IPAddress, _ length: Int) -> IPNetwork { IPNetwork(address, prefixLength: length) }

    /// The IPv4 address an IPv6 address leads to, when it embeds one whose class decides where the
    /// packets go: IPv4-mapped `::ffff:a.b.c.d` (a dual-stack socket connects to the IPv4 address
    /// itself), IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (the gateway connects
    /// to it), 6to4 `2002:aabb:ccdd::` (tunnelled to it) and IPv4-compatible `::a.b.c.d`.
    static func embeddedIPv4(_ address: IPAddress) -> UInt32? {
        guard case let .v6(high, low) = address else { return nil }
        let v4 = UInt32(truncatingIfNeeded: low)
        switch (high, low >> 32) {
        case (0, 0x0000_ffff), (0, 0xffff_0000), (0x0064_ff9b_0000_0000, 0): return v4
        case (0, 0) where low > 1: return v4
        default: break
        }
        if high >> 48 == 0x2002 { return UInt32(truncatingIfNeeded: high >> 16) }
        return nil
    }

    /// The rule that refuses `address`, nil for an ordinary public address.
    static func rule(for address: IPAddress) -> DestinationRule? {
        switch address {
        case .v4:
            return ipv4.first { $0.0.contains(address) }?.1
        case .v6(let high, let low):
            if let direct = ipv6.first(where: { $0.0.contains(address) })?.1 { return direct }
            guard let v4 = embeddedIPv4(address) else { return nil }
            let embedded = rule(for: .v4(v4))
            // IPv4-compatible addresses were deprecated in 2006; nothing public is reached that way.
            let isCompatibleForm = high == 0 && low >> 32 == 0
            return embedded ?? (isCompatibleForm ? .reserved : nil)
        }
    }
}
