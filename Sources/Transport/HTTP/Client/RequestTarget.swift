/// An absolute http(s) URL, parsed the one way Pismo parses URLs: by the HTTP client for every
/// request, by SigV4 signing, by the credential providers and by `pismo routes set` — so a URL one
/// of them accepts is a URL the client can send. Userinfo is rejected, fragments dropped, the scheme
/// and host lowercased; IPv6 literals keep their brackets in `hostHeader` but not in `host`.
///
/// Parsed on every request, so it works on the URL's UTF-8 bytes (Character indexing cost more
/// than the rest of request preparation together).
public struct RequestTarget: Hashable, Sendable {
    public let scheme: String
    public let host: String
    public let port: Int
    /// origin-form: path plus "?query", never empty.
    public let path: String

    /// The Host header value, formatted once (requests are encoded far more often than parsed URLs change).
    public let hostHeader: String

    /// A URL the client can send: no userinfo, no control characters or spaces in the path.
    public init(url: String) throws(HTTPClientError) {
        var url = url
        let parsed = url.withUTF8 { Self.parse($0, anyPathBytes: false) }
        guard let parsed else { throw .invalidURL(url) }
        self = try parsed.get()
    }

    /// A URL as SigV4 signs it. The signature hashes the path as given, and the signing test suite's
    /// requests carry spaces and other bytes no request line may, so only the path check is relaxed.
    public init?(signing url: String) {
        var url = url
        guard case let .success(target)? = url.withUTF8({ Self.parse($0, anyPathBytes: true) }) else { return nil }
        self = target
    }

    /// The path without its query.
    public var pathOnly: String {
        guard let mark = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return path }
        return String(path[..<mark])
    }

    /// The query without its "?", "" when there is none.
    public var query: String {
        guard let mark = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return "" }
        return String(path[path.utf8.index(after: mark)...])
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, anyPathBytes: Bool) -> Result<RequestTarget, HTTPClientError>? {
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
        guard anyPathBytes || !pathBytes.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else { return nil }
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
    public var origin: RequestTarget { RequestTarget(scheme: scheme, host: host, port: port, path: "/") }

    public init(scheme: String, host: String, port: Int, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        hostHeader = port == (scheme == "https" ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }
}
