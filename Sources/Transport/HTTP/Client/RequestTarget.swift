/// The parts of an absolute http(s) URL a client needs: where to connect and what to ask for.
struct RequestTarget: Sendable {
    let isTLS: Bool
    /// Host as written, without brackets for IPv6.
    let host: String
    let port: Int
    /// origin-form: "/path?query" ("/" when the URL has no path).
    let path: String
    /// Value for the Host header.
    let authority: String

    init(url: String) throws(HTTPClientError) {
        let rest: Substring
        if url.hasPrefix("http://") {
            isTLS = false
            rest = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            isTLS = true
            rest = url.dropFirst(8)
        } else {
            throw .invalidURL(url)
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var pathPart = rest[authorityEnd...]
        if let hash = pathPart.firstIndex(of: "#") { pathPart = pathPart[..<hash] }
        path = pathPart.isEmpty ? "/" : (pathPart.first == "?" ? "/" + pathPart : String(pathPart))
        let defaultPort = isTLS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.isEmpty ? defaultPort : (after.first == ":" ? Int(after.dropFirst()) ?? -1 : -1)
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty, (1...65535).contains(port), !host.contains("@") else { throw .invalidURL(url) }
        for byte in path.utf8 where byte <= 0x20 || byte == 0x7F { throw .invalidURL(url) }
        let hostText = host.contains(":") ? "[\(host)]" : host
        self.authority = port == defaultPort ? hostText : "\(hostText):\(port)"
    }

    /// Pool key: connections are shared only between identical scheme, host and port.
    var poolKey: String { "\(isTLS ? "https" : "http")://\(host):\(port)" }
}
