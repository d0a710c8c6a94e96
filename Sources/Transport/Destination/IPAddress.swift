#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as a plain value: what the destination guard classifies and what
/// allow-list networks contain. No socket, port or scope; IPv6 is held as two 64-bit halves so
/// that prefix tests are two masks.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// A numeric host as the client connects to it: the IPv4 spellings `inet_aton` accepts
    /// (`127.2`, `2130706434`, `0177.0.0.2`), or IPv6 text with or without brackets. nil for a name.
    public init?(_ text: String) {
        guard let address = SocketAddress(numericHost: text, port: 0) else { return nil }
        self.init(address)
    }

    /// The address of a socket address (its port and any IPv6 scope are not part of it).
    public init(_ address: SocketAddress) {
        self = withUnsafeBytes(of: address.storage) { raw in
            if address.family == AF_INET {
                return .v4(UInt32(bigEndian: raw.load(as: sockaddr_in.self).sin_addr.s_addr))
            }
            let bytes = withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr) { Array($0) }
            return IPAddress.v6(bytes)
        }
    }

    /// IPv6 from its 16 bytes in network order.
    static func v6(_ bytes: [UInt8]) -> IPAddress {
        func half(_ range: Range<Int>) -> UInt64 { bytes[range].reduce(0) { $0 << 8 | UInt64($1) } }
        return .v6(high: half(0..<8), low: half(8..<16))
    }

    public var isIPv4: Bool { if case .v4 = self { true } else { false } }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .v4(let value):
            var addr = in_addr(s_addr: value.bigEndian)
            _ = inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
        case .v6(let high, let low):
            var addr = in6_addr()
            withUnsafeMutableBytes(of: &addr) { raw in
                raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            _ = inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
