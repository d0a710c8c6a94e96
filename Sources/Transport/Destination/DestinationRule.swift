/// Why a webhook destination is refused: the address class it falls in (each name is stable; it
/// appears in errors and dead letters), or `httpsOnly` for a plain-http URL when only https is allowed.
public enum DestinationRule: String, Sendable, CaseIterable {
    case loopback
    case `private`
    case linkLocal = "link-local"
    case cgnat
    case multicast
    case unspecified
    /// Blocks no public service lives in: future use and broadcast, benchmarking, IETF protocol
    /// assignments, IPv6 discard-only, Teredo tunnels, and the deprecated IPv4-compatible IPv6 form.
    case reserved
    case httpsOnly = "https-only"

    /// The ranges (or the setting) behind the rule, for messages.
    public var ranges: String {
        switch self {
        case .loopback: "127.0.0.0/8, ::1"
        case .private: "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, fec0::/10, 64:ff9b:1::/48"
        case .linkLocal: "169.254.0.0/16 (instance metadata 169.254.169.254, ECS credentials 169.254.170.2), fe80::/10"
        case .cgnat: "100.64.0.0/10"
        case .multicast: "224.0.0.0/4, ff00::/8"
        case .unspecified: "0.0.0.0/8, ::"
        case .reserved: "192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4, 100::/64, 2001::/32, ::/96"
        case .httpsOnly: "plain http while only https is allowed"
        }
    }
}
