/// Just enough RFC 3986 to resolve `$id` / `$ref` against a base URI (section 5.2), split off
/// fragments and normalise empty fragments. Works for hierarchical URIs and URNs alike.
struct URIReference: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        path = String(rest)
    }

    var string: String {
        var s = ""
        if let scheme { s += scheme + ":" }
        if let authority { s += "//" + authority }
        s += path
        if let query { s += "?" + query }
        if let fragment { s += "#" + fragment }
        return s
    }

    /// The URI without its fragment (empty fragments are dropped everywhere).
    var withoutFragment: String {
        var copy = self
        copy.fragment = nil
        return copy.string
    }

    /// RFC 3986 5.2.2 (strict): resolves `reference` against `self`.
    func resolving(_ reference: String) -> URIReference {
        let r = URIReference(reference)
        var t = r
        if r.scheme != nil {
            t.path = Self.removeDotSegments(r.path)
            return t
        }
        t.scheme = scheme
        if r.authority != nil {
            t.path = Self.removeDotSegments(r.path)
            return t
        }
        t.authority = authority
        if r.path.isEmpty {
            t.path = path
            t.query = r.query ?? query
        } else if r.path.hasPrefix("/") {
            t.path = Self.removeDotSegments(r.path)
        } else {
            t.path = Self.removeDotSegments(merge(r.path))
        }
        return t
    }

    private func merge(_ relative: String) -> String {
        if authority != nil && path.isEmpty { return "/" + relative }
        guard let slash = path.lastIndex(of: "/") else { return relative }
        return String(path[...slash]) + relative
    }

    static func removeDotSegments(_ input: String) -> String {
        guard input.contains(".") else { return input }
        var output: [Substring] = []
        let segments = input.split(separator: "/", omittingEmptySubsequences: false)
        for (i, seg) in segments.enumerated() {
            if seg == "." { if i == segments.count - 1 { output.append("") }; continue }
            if seg == ".." {
                if output.count > 1 || (output.count == 1 && output[0] != "") { output.removeLast() }
                if i == segments.count - 1 { output.append("") }
                continue
            }
            output.append(seg)
        }
        return output.joined(separator: "/")
    }
}

/// JSON Pointer (RFC 6901) helpers for schema locations.
enum JSONPointer {
    static func escape(_ token: String) -> String {
        var out = ""
        for c in token.unicodeScalars {
            switch c {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Splits "/a/b~1c" into ["a", "b/c"]; percent-decoding applies to pointers taken from URI fragments.
    static func tokens(_ pointer: String, percentDecoded: Bool) -> [String]? {
        guard !pointer.isEmpty else { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        let text = percentDecoded ? (percentDecode(pointer) ?? pointer) : pointer
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    private static func unescape(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        var out = ""
        var tilde = false
        for c in token.unicodeScalars {
            if tilde {
                out += c == "1" ? "/" : (c == "0" ? "~" : "~" + String(c))
                tilde = false
            } else if c == "~" { tilde = true } else { out.unicodeScalars.append(c) }
        }
        return tilde ? out + "~" : out
    }

    static func percentDecode(_ s: String) -> String? {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        var it = Array(s.utf8).makeIterator()
        while let b = it.next() {
            if b == 0x25, let h = it.next(), let l = it.next(),
               let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) {
                bytes.append(v)
            } else { bytes.append(b) }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
