import CHTTP
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address (a value; the kernel structs are copied in).
public enum SocketAddress: Sendable, CustomStringConvertible {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    /// Parses a numeric IPv4/IPv6 literal (brackets allowed for IPv6); nil for host names.
    public init?(numericHost host: String, port: Int) {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var a4 = in_addr()
        if inet_pton(AF_INET, bare, &a4) == 1 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            sa.sin_addr = a4
            self = .v4(sa)
            return
        }
        var a6 = in6_addr()
        if inet_pton(AF_INET6, bare, &a6) == 1 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            sa.sin6_addr = a6
            self = .v6(sa)
            return
        }
        return nil
    }

    /// Copies an address returned by getaddrinfo/getsockname.
    init?(_ raw: UnsafePointer<sockaddr>) {
        switch Int32(raw.pointee.sa_family) {
        case AF_INET: self = .v4(UnsafeRawPointer(raw).load(as: sockaddr_in.self))
        case AF_INET6: self = .v6(UnsafeRawPointer(raw).load(as: sockaddr_in6.self))
        default: return nil
        }
    }

    var family: Int32 {
        switch self {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }

    public var port: Int {
        switch self {
        case .v4(let sa): return Int(UInt16(bigEndian: sa.sin_port))
        case .v6(let sa): return Int(UInt16(bigEndian: sa.sin6_port))
        }
    }

    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R {
        switch self {
        case .v4(var sa):
            return try withUnsafePointer(to: &sa) { (p) throws(SystemError) -> R in
                try body(UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        case .v6(var sa):
            return try withUnsafePointer(to: &sa) { (p) throws(SystemError) -> R in
                try body(UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }

    public var description: String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .v4(var sa):
            inet_ntop(AF_INET, &sa.sin_addr, &buf, socklen_t(buf.count))
            return "\(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(port)"
        case .v6(var sa):
            inet_ntop(AF_INET6, &sa.sin6_addr, &buf, socklen_t(buf.count))
            return "[\(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))]:\(port)"
        }
    }
}
