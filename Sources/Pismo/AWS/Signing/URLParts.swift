/// The pieces of an absolute `http(s)://host[:port]/path?query` URL that signing and the clients need.
/// Deliberately small: AWS endpoints never carry user-info or fragments.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var path: String
    public var query: String

    public init?(_ url: String) {
        // Byte scanning: this runs for every signed request, and Character-based String indexing
        // (grapheme breaking) made it the most expensive part of signing.
        let b = Array(url.utf8)
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        var i = 0
        while i + 2 < b.count, !(b[i] == 0x3A && b[i + 1] == 0x2F && b[i + 2] == 0x2F) { i += 1 }  // "://"
        guard i + 2 < b.count, i > 0 else { return nil }
        scheme = text(0..<i).lowercased()
        let authorityStart = i + 3
        var authorityEnd = authorityStart
        while authorityEnd < b.count, b[authorityEnd] != 0x2F, b[authorityEnd] != 0x3F { authorityEnd += 1 }
        let queryMark = b[authorityEnd...].firstIndex(of: 0x3F)
        path = text(authorityEnd..<(queryMark ?? b.count))
        query = queryMark.map { text(($0 + 1)..<b.count) } ?? ""
        if path.isEmpty { path = "/" }
        // "[::1]:8080" keeps its brackets in the host; the port follows the last ':' after ']'.
        var colon: Int?
        for j in stride(from: authorityEnd - 1, through: authorityStart, by: -1) {
            if b[j] == 0x5D { break }
            if b[j] == 0x3A { colon = j; break }
        }
        if let colon, let p = Int(text((colon + 1)..<authorityEnd)) {
            host = text(authorityStart..<colon)
            port = p
        } else {
            host = text(authorityStart..<authorityEnd)
            port = nil
        }
        guard !host.isEmpty else { return nil }
    }

    /// `Host` header value: the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port else { return host }
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }

    /// Scheme + authority, no path: `http://127.0.0.1:5000`.
    public var origin: String { "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")" }
}
