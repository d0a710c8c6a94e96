/// The parts of an absolute http(s) URL the client needs. Userinfo and fragments are rejected /
/// dropped; IPv6 literals keep their brackets in `hostHeader` but not in `host`.
struct RequestTarget: Hashable, Sendable {
    let scheme: String
    let host: String
    let port: Int
    /// origin-form: path plus "?query", never empty.
    let path: String

    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (scheme == "https" ? 443 : 80) ? h : "\(h):\(port)"
    }

    init(url: String) throws(HTTPClientError) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { throw .invalidURL(url) }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(scheme) }
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<pathStart]
        var path = String(rest[pathStart...])
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalidURL(url) }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { guard let p = Int(after.dropFirst()) else { throw .invalidURL(url) }; port = p }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]) else { throw .invalidURL(url) }
            port = p
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidURL(url) }
        guard !path.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else { throw .invalidURL(url) }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.path = path
    }
}
