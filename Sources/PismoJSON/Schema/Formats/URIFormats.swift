/// RFC 3986 `uri` / `uri-reference` and RFC 3987 `iri` / `iri-reference` (IRIs admit
/// non-ASCII `ucschar` wherever unreserved characters may appear).
struct URIFormats {
    private let s: [Unicode.Scalar]
    private let iri: Bool
    private var i = 0

    static func isURI(_ text: String, reference: Bool, iri: Bool) -> Bool {
        var parser = URIFormats(s: Array(text.unicodeScalars), iri: iri)
        return parser.parse(reference: reference)
    }

    private init(s: [Unicode.Scalar], iri: Bool) { self.s = s; self.iri = iri }

    private var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    private mutating func parse(reference: Bool) -> Bool {
        let hasScheme = scanScheme()
        if !hasScheme && !reference { return false }
        if peek == "/", i + 1 < s.count, s[i + 1] == "/" {
            i += 2
            guard authority() else { return false }
            guard path(allowColonInFirst: true) else { return false }
        } else {
            guard path(allowColonInFirst: hasScheme) else { return false }
        }
        if peek == "?" { i += 1; guard queryOrFragment() else { return false } }
        if peek == "#" { i += 1; guard queryOrFragment() else { return false } }
        return i == s.count
    }

    /// scheme ":" if present at the start (consumes it), else leaves i at 0.
    private mutating func scanScheme() -> Bool {
        guard let first = s.first, isAlpha(first) else { return false }
        var j = 1
        while j < s.count, isAlpha(s[j]) || isDigit(s[j]) || s[j] == "+" || s[j] == "-" || s[j] == "." { j += 1 }
        guard j < s.count, s[j] == ":" else { return false }
        i = j + 1
        return true
    }

    private mutating func authority() -> Bool {
        var end = i
        while end < s.count, s[end] != "/", s[end] != "?", s[end] != "#" { end += 1 }
        var hostStart = i
        if let at = s[i..<end].lastIndex(of: "@") {
            for k in i..<at where !(isUnreserved(s[k]) || isSubDelim(s[k]) || s[k] == ":" || s[k] == "%") { return false }
            guard pctValid(i, at) else { return false }
            hostStart = at + 1
        }
        var hostEnd = end
        if hostStart < end, s[hostStart] == "[" {
            guard let close = s[hostStart..<end].firstIndex(of: "]") else { return false }
            let literal = String(String.UnicodeScalarView(s[(hostStart + 1)..<close]))
            guard AddressFormats.isIPv6(literal) || literal.first == "v" || literal.first == "V" else { return false }
            hostEnd = close + 1
            if hostEnd < end { guard s[hostEnd] == ":" else { return false } }
        } else if let colon = s[hostStart..<end].lastIndex(of: ":") {
            hostEnd = colon
        }
        if hostStart < end, s[hostStart] != "[" {
            for k in hostStart..<hostEnd where !(isUnreserved(s[k]) || isSubDelim(s[k]) || s[k] == "%") { return false }
            guard pctValid(hostStart, hostEnd) else { return false }
        }
        if hostEnd < end {  // ":" port
            for k in (hostEnd + 1)..<end where !isDigit(s[k]) { return false }
        }
        i = end
        return true
    }

    private mutating func path(allowColonInFirst: Bool) -> Bool {
        var firstSegment = true
        while let c = peek, c != "?", c != "#" {
            if c == "/" { firstSegment = false; i += 1; continue }
            if c == ":" && firstSegment && !allowColonInFirst { return false }
            guard pchar() else { return false }
        }
        return true
    }

    private mutating func queryOrFragment() -> Bool {
        while let c = peek, c != "#" || false {
            if c == "/" || c == "?" { i += 1; continue }
            if iri, isPrivate(c) { i += 1; continue }
            guard pchar() else { return false }
        }
        return true
    }

    private mutating func pchar() -> Bool {
        guard let c = peek else { return false }
        if c == "%" {
            guard i + 2 < s.count, AddressFormats.isHex(s[i + 1]), AddressFormats.isHex(s[i + 2]) else { return false }
            i += 3
            return true
        }
        guard isUnreserved(c) || isSubDelim(c) || c == ":" || c == "@" else { return false }
        i += 1
        return true
    }

    private func pctValid(_ from: Int, _ to: Int) -> Bool {
        var k = from
        while k < to {
            if s[k] == "%" {
                guard k + 2 < to, AddressFormats.isHex(s[k + 1]), AddressFormats.isHex(s[k + 2]) else { return false }
                k += 3
            } else { k += 1 }
        }
        return true
    }

    private func isAlpha(_ c: Unicode.Scalar) -> Bool { c.value | 0x20 >= 0x61 && c.value | 0x20 <= 0x7A }
    private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private func isUnreserved(_ c: Unicode.Scalar) -> Bool {
        isAlpha(c) || isDigit(c) || c == "-" || c == "." || c == "_" || c == "~" || (iri && isUCS(c))
    }
    private func isSubDelim(_ c: Unicode.Scalar) -> Bool { "!$&'()*+,;=".unicodeScalars.contains(c) }

    /// RFC 3987 ucschar ranges (all non-ASCII except controls, specials and non-characters).
    private func isUCS(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        guard v >= 0xA0 else { return false }
        if v >= 0xD800 && v <= 0xF8FF { return false }
        if v >= 0xFDD0 && v <= 0xFDEF { return false }
        if v & 0xFFFE == 0xFFFE { return false }
        return v < 0xE0000 || (v >= 0xE1000 && v <= 0xEFFFD)
    }
    private func isPrivate(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (v >= 0xE000 && v <= 0xF8FF) || (v >= 0xF0000 && v <= 0xFFFFD) || (v >= 0x100000 && v <= 0x10FFFD)
    }
}
