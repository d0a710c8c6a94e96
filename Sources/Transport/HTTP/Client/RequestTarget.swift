/// The parts of an absolute http(s) URL the client needs. Userinfo and fragments are rejected /
/// dropped; IPv6 literals keep their brackets in `hostHeader` but not in `host`.
///
/// Parsed on every request, so it works on the URL's UTF-8 bytes (Character indexing cost more
/// than the rest of request preparation together).
struct RequestTarget: Hashable, Sendable {
    let scheme: String
    let host: String
    let port: Int
    /// origin-form: path plus "?query", never empty.
    let path: String

    /// The Host header value, formatted once (requests are encoded far more often than parsed URLs change).
    let hostHeader: String

    init(url: String) throws(HTTPClientError) {
        var url = url
        let parsed = url.withUTF8 { Self.parse($0) }
        guard let parsed else { throw .invalidURL(url) }
        self = try parsed.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<RequestTarget, HTTPClientError>? {
        let colon = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.count
        guard colon + 3 <= bytes.count, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else { return nil }
        let scheme = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return .failure(.unsupportedScheme(scheme)) }
        let end = bytes[(colon + 3)...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let rest = bytes[(colon + 3)..<end]
        let pathStart = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
        let authority = bytes[(colon + 3)..<pathStart]
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }
        guard let (host, port) = splitAuthority(authority, defaultPort: scheme == "https" ? 443 : 80) else { return nil }
        let pathBytes = bytes[pathStart..<end]
        guard !pathBytes.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else { return nil }
        var path = String(decoding: UnsafeBufferPointer(rebasing: pathBytes), as: UTF8.self)
        if path.isEmpty { path = "/" } else if pathBytes.first == UInt8(ascii: "?") { path = "/" + path }
        return .success(RequestTarget(scheme: scheme, host: host, port: port, path: path))
    }

    /// "host", "host:port", "[v6]" or "[v6]:port" -> lowercased host without brackets, port.
    private static func splitAuthority(_ authority: Slice<UnsafeBufferPointer<UInt8>>, defaultPort: Int) -> (String, Int)? {
        var hostBytes = authority
        var portBytes = authority[authority.endIndex...]
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { return nil }
                portBytes = after.dropFirst()
                if portBytes.isEmpty { return nil }
            }
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            hostBytes = authority[..<colon]
            portBytes = authority[(colon + 1)...]
            if portBytes.isEmpty { return nil }
        }
        var port = defaultPort
        if !portBytes.isEmpty {
            guard portBytes.count <= 5, portBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            port = portBytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard !hostBytes.isEmpty, (1...65535).contains(port) else { return nil }
        let host = String(decoding: UnsafeBufferPointer(rebasing: hostBytes), as: UTF8.self)
        let hasUpper = hostBytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        return (hasUpper ? host.lowercased() : host, port)
    }

    /// The pool key: scheme, host and port only.
    var origin: RequestTarget { RequestTarget(scheme: scheme, host: host, port: port, path: "/") }

    init(scheme: String, host: String, port: Int, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        hostHeader = port == (scheme == "https" ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }
}
