/// Scanning of strings, numbers and literals. Each scanner validates fully (RFC 8259 plus
/// strict UTF-8) and records only a byte range, leaving conversion to the accessors.
extension JSONParser {
    /// `i` is at the opening quote. Leaves `i` after the closing quote.
    @inline(__always)
    mutating func scanString() throws(JSONParseError) {
        let open = i
        i += 1
        var flags: UInt32 = 0
        while true {
            skipPlainASCII()
            guard i < n else { throw fail(open, "unterminated string") }
            let c = p[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                try scanEscape()
                flags = TapeKind.flag
            } else if c < 0x20 {
                throw fail(i, "control character in string must be escaped")
            } else if c >= 0x80 {
                try scanUTF8Sequence()
            } else {
                i += 1
            }
        }
        _ = tape.append(start: open + 1, end: i, info: TapeKind.string | flags)
        i += 1
    }

    /// Skips bytes that need no attention (ASCII, not '"', '\\' or a control character),
    /// eight at a time. The SWAR masks can only report false positives in bytes *above* a real
    /// hit, so the lowest set bit is always the first byte that needs a closer look.
    @inline(__always)
    mutating func skipPlainASCII() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i &+ 8 <= n {
            let v = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            let quote = v ^ (ones &* 0x22)
            let slash = v ^ (ones &* 0x5C)
            var mask = (quote &- ones) & ~quote
            mask |= (slash &- ones) & ~slash
            mask |= (v &- ones &* 0x20) & ~v
            mask = (mask | v) & highs
            if mask != 0 {
                i &+= mask.trailingZeroBitCount >> 3
                return
            }
            i &+= 8
        }
    }

    /// `i` is at a backslash.
    mutating func scanEscape() throws(JSONParseError) {
        guard i + 1 < n else { throw fail(i + 1, "unterminated escape") }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF { throw fail(i, "lone low surrogate in \\u escape") }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let j = i + 6
                guard j + 1 < n, p[j] == UInt8(ascii: "\\"), p[j + 1] == UInt8(ascii: "u") else {
                    throw fail(i, "lone high surrogate in \\u escape")
                }
                let low = try hex4(at: j + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail(j, "high surrogate not followed by a low surrogate")
                }
                i = j + 6
            } else {
                i += 6
            }
        default:
            throw fail(i + 1, "invalid escape")
        }
    }

    func hex4(at offset: Int) throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= n else { throw fail(min(offset, n), "truncated \\u escape") }
        var value: UInt32 = 0
        for k in offset..<(offset + 4) {
            guard let digit = hexValue(p[k]) else { throw fail(k, "invalid hex digit in \\u escape") }
            value = value << 4 | digit
        }
        return value
    }

    /// `i` is at a byte >= 0x80 inside a string. Accepts exactly the well-formed UTF-8 of
    /// Unicode 15 table 3-7: no overlongs, no encoded surrogates, nothing above U+10FFFF.
    mutating func scanUTF8Sequence() throws(JSONParseError) {
        let lead = p[i]
        var length = 0
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xED: length = 3; high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; low = 0x90
        case 0xF4: length = 4; high = 0x8F
        case 0xF1...0xF3: length = 4
        default: throw fail(i, "invalid UTF-8 lead byte")
        }
        guard i + length <= n else { throw fail(i, "truncated UTF-8 sequence") }
        let second = p[i + 1]
        guard second >= low && second <= high else { throw fail(i + 1, "invalid UTF-8 sequence") }
        for k in 2..<max(2, length) where p[i + k] & 0xC0 != 0x80 {
            throw fail(i + k, "invalid UTF-8 sequence")
        }
        i += length
    }

    /// `i` is at '-' or a digit.
    @inline(__always)
    mutating func scanNumber() throws(JSONParseError) {
        let start = i
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n, isDigit(p[i]) else { throw fail(i, "expected a digit") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < n && isDigit(p[i]) { throw fail(i, "leading zero in number") }
        } else {
            skipDigits()
        }
        var flags = TapeKind.flag  // integer syntax until a fraction or exponent shows up
        if i < n && p[i] == UInt8(ascii: ".") {
            flags = 0
            i += 1
            guard i < n, isDigit(p[i]) else { throw fail(i, "expected a digit after '.'") }
            skipDigits()
        }
        if i < n && p[i] | 0x20 == UInt8(ascii: "e") {
            flags = 0
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < n, isDigit(p[i]) else { throw fail(i, "expected a digit in exponent") }
            skipDigits()
        }
        _ = tape.append(start: start, end: i, info: TapeKind.number | flags)
    }

    @inline(__always)
    mutating func skipDigits() {
        while i < n && isDigit(p[i]) { i &+= 1 }
    }

    /// `i` is at 't', 'f' or 'n'.
    mutating func scanLiteral() throws(JSONParseError) {
        let (word, info): (StaticString, UInt32)
        switch p[i] {
        case UInt8(ascii: "t"): (word, info) = ("true", TapeKind.bool | TapeKind.flag)
        case UInt8(ascii: "f"): (word, info) = ("false", TapeKind.bool)
        default: (word, info) = ("null", TapeKind.null)
        }
        let length = word.utf8CodeUnitCount
        for k in 0..<length where i + k >= n || p[i + k] != word.utf8Start[k] {
            throw fail(i + k, "invalid literal, expected '\(word)'")
        }
        _ = tape.append(start: i, end: i + length, info: info)
        i += length
    }
}

@inline(__always)
func isDigit(_ c: UInt8) -> Bool {
    c &- UInt8(ascii: "0") < 10
}

@inline(__always)
func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
    default: return nil
    }
}
