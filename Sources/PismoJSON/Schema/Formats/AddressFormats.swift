/// `ipv4`, `ipv6` (RFC 2673 dotted-quad / RFC 4291 text forms, no zones or prefixes) and
/// `email` / `idn-email` (RFC 5321 Mailbox; RFC 6531 adds UTF-8 to atext and IDN domains).
enum AddressFormats {
    static func isIPv4(_ text: Substring.UnicodeScalarView) -> Bool {
        var parts = 0, value = 0, digits = 0, leadingZero = false
        for s in text {
            if s == "." {
                guard digits > 0 else { return false }
                parts += 1; value = 0; digits = 0
                continue
            }
            guard s.value >= 0x30, s.value <= 0x39, digits < 3 else { return false }
            if digits == 1 && leadingZero { return false }  // "01" is ambiguous (octal) and invalid
            if digits == 0 { leadingZero = s == "0" }
            value = value * 10 + Int(s.value - 0x30)
            digits += 1
            guard value <= 255 else { return false }
        }
        return parts == 3 && digits > 0
    }

    static func isIPv4(_ text: String) -> Bool { isIPv4(text[...].unicodeScalars) }

    static func isIPv6(_ text: String) -> Bool {
        let s = Substring(text)
        var groups = 0
        var sawDoubleColon = false
        var rest = s[...]
        if rest.hasPrefix("::") {
            sawDoubleColon = true
            rest = rest.dropFirst(2)
            if rest.isEmpty { return true }
        } else if rest.hasPrefix(":") { return false }
        while true {
            // rest begins at a group (or an embedded IPv4 tail).
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let group = rest[..<end]
            if end == rest.endIndex, group.contains(".") {
                guard isIPv4(group.unicodeScalars) else { return false }
                groups += 2
                break
            }
            guard !group.isEmpty, group.count <= 4, group.unicodeScalars.allSatisfy(isHex) else { return false }
            groups += 1
            if end == rest.endIndex { break }
            rest = rest[rest.index(after: end)...]
            if rest.hasPrefix(":") {
                guard !sawDoubleColon else { return false }
                sawDoubleColon = true
                rest = rest.dropFirst()
                if rest.isEmpty { break }
                if rest.hasPrefix(":") { return false }
            } else if rest.isEmpty { return false }
        }
        return sawDoubleColon ? groups <= 7 : groups == 8
    }

    static func isHex(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x30 && s.value <= 0x39) || (s.value | 0x20 >= 0x61 && s.value | 0x20 <= 0x66)
    }

    static func isEmail(_ text: String, idn: Bool) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.utf8.count <= 64 else { return false }
        guard isLocalPart(local, idn: idn) else { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(String(literal.dropFirst(5))) }
            return isIPv4(literal.unicodeScalars)
        }
        return idn ? HostnameFormats.isIDNHostname(String(domain)) : HostnameFormats.isHostname(String(domain))
    }

    private static func isLocalPart(_ local: Substring, idn: Bool) -> Bool {
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\"") else { return false }
            var escaped = false
            for s in local.dropFirst().dropLast().unicodeScalars {
                if escaped { escaped = false; continue }
                if s == "\\" { escaped = true; continue }
                if s == "\"" { return false }
                guard s.value >= 0x20 || (idn && s.value >= 0x80), s.value != 0x7F || idn else { return false }
            }
            return !escaped
        }
        var previousDot = true  // a leading dot is invalid
        for s in local.unicodeScalars {
            if s == "." {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            guard isAtext(s) || (idn && s.value >= 0x80) else { return false }
        }
        return !previousDot
    }

    private static func isAtext(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (v >= 0x30 && v <= 0x39) || (v | 0x20 >= 0x61 && v | 0x20 <= 0x7A) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(s)
    }
}
