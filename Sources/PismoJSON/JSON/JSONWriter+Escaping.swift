/// String escaping for `JSONWriter`: runs of bytes that need no escaping are copied in one
/// `append(contentsOf:)`; only '"', '\\', control characters (and optionally U+2028/2029) are
/// rewritten. Input is a Swift String, so it is valid UTF-8 already.
extension JSONWriter {
    mutating func appendQuoted(_ value: String) {
        var value = value
        value.withUTF8 { appendQuoted(utf8: $0) }
    }

    /// Writes `"..."` for UTF-8 bytes the caller guarantees are valid UTF-8.
    public mutating func appendQuoted(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var k = 0
        let n = utf8.count
        while k < n {
            k = skipBytesNeedingNoEscape(utf8, from: k)
            if k >= n { break }
            let c = utf8[k]
            let needsEscape: Bool
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 {
                needsEscape = true
            } else if c == 0xE2 && escapeLineSeparators && k + 2 < n && utf8[k + 1] == 0x80
                && (utf8[k + 2] == 0xA8 || utf8[k + 2] == 0xA9)
            {
                needsEscape = true
            } else {
                needsEscape = false
            }
            if !needsEscape {
                k += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
            if c == 0xE2 {
                bytes.append(contentsOf: (utf8[k + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                k += 3
            } else {
                appendEscape(c)
                k += 1
            }
            runStart = k
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n]))
        bytes.append(UInt8(ascii: "\""))
    }

    /// Index of the first byte at or after `k` that may need escaping, eight bytes at a time
    /// (same SWAR idea as the parser's string scan; only the lowest hit is exact, which is all
    /// we use). Non-ASCII bytes stop the scan only when U+2028/2029 must be escaped.
    @inline(__always)
    func skipBytesNeedingNoEscape(_ utf8: UnsafeBufferPointer<UInt8>, from k: Int) -> Int {
        guard let base = utf8.baseAddress else { return k }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let stopOnHigh: UInt64 = escapeLineSeparators ? highs : 0
        var i = k
        while i &+ 8 <= utf8.count {
            let v = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let quote = v ^ (ones &* 0x22)
            let slash = v ^ (ones &* 0x5C)
            var mask = (quote &- ones) & ~quote
            mask |= (slash &- ones) & ~slash
            mask |= (v &- ones &* 0x20) & ~v
            mask = (mask & highs) | (v & stopOnHigh)
            if mask != 0 { return i &+ mask.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        return i
    }

    mutating func appendEscape(_ c: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      hex[Int(c >> 4)], hex[Int(c & 0xF)]])
        }
    }

    /// Writes a string value given as UTF-8 bytes (e.g. from `JSONNode.withStringBytes`).
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        appendQuoted(utf8: utf8)
        needsComma = true
    }

    /// Writes an object key given as UTF-8 bytes.
    public mutating func key(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        appendQuoted(utf8: utf8)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }
}
