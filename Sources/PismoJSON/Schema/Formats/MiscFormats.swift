/// `uuid`, `json-pointer`, `relative-json-pointer`, `uri-template` (RFC 6570 level 4 syntax).
enum MiscFormats {
    static func isUUID(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 36 else { return false }
        for (i, b) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == 0x2D else { return false }
            } else if !AddressFormats.isHex(Unicode.Scalar(b)) { return false }
        }
        return true
    }

    static func isJSONPointer(_ text: Substring) -> Bool {
        guard text.isEmpty || text.first == "/" else { return false }
        var scalars = text.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            if c == "~" {
                guard let n = scalars.next(), n == "0" || n == "1" else { return false }
            }
        }
        return true
    }

    /// non-negative-integer then "#" or a JSON pointer.
    static func isRelativeJSONPointer(_ text: String) -> Bool {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits == "0" || digits.first != "0" else { return false }
        let rest = text[digits.endIndex...]
        return rest == "#" || isJSONPointer(rest)
    }

    static func isURITemplate(_ text: String) -> Bool {
        var inExpression = false
        var expression = ""
        for c in text.unicodeScalars {
            if inExpression {
                if c == "}" {
                    guard isValidExpression(expression) else { return false }
                    inExpression = false
                    expression = ""
                } else if c == "{" { return false } else { expression.unicodeScalars.append(c) }
            } else if c == "{" { inExpression = true } else if !isLiteral(c) { return false }
        }
        return !inExpression
    }

    /// RFC 6570 `literals`: printable ASCII except space and " < > \\ ^ ` { | }, plus non-ASCII.
    private static func isLiteral(_ c: Unicode.Scalar) -> Bool {
        if c.value > 0x7F { return true }
        guard c.value > 0x20, c.value < 0x7F else { return false }
        return !"\"<>\\^`{|}".unicodeScalars.contains(c)
    }

    private static func isValidExpression(_ e: String) -> Bool {
        var body = Substring(e)
        if let first = body.first, "+#./;?&=,!@|".contains(first) { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        for varspec in body.split(separator: ",", omittingEmptySubsequences: false) {
            var name = varspec
            if let colon = name.firstIndex(of: ":") {
                let length = name[name.index(after: colon)...]
                guard !length.isEmpty, length.count <= 4, length.allSatisfy({ $0.isASCII && $0.isNumber }),
                      length.first != "0" else { return false }
                name = name[..<colon]
            } else if name.hasSuffix("*") { name = name.dropLast() }
            guard !name.isEmpty, name.first != ".", name.last != ".", !name.contains("..") else { return false }
            for c in name.unicodeScalars where !(c == "_" || c == "." || c == "%" || (c.isASCII && (c.properties.isAlphabetic || (c.value >= 0x30 && c.value <= 0x39)))) {
                return false
            }
        }
        return true
    }
}
