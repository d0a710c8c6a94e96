/// String access. The parser has already validated escapes and UTF-8, so strings without
/// escapes are exactly their source bytes and need no decoding work at all.
extension JSONNode {
    /// True when the string contains backslash escapes (so its source bytes differ from its value).
    public var stringHasEscapes: Bool { isString && hasFlag }

    /// The unescaped string value, or nil if this is not a string. Allocates.
    public var string: String? {
        guard isString else { return nil }
        return withSourceContent { raw in
            if !hasFlag { return String(decoding: raw, as: UTF8.self) }
            return String(decoding: unescapeJSONString(raw), as: UTF8.self)
        }
    }

    /// Whether this is a string equal to `s`. No allocation when the string has no escapes.
    public func stringEquals(_ s: String) -> Bool {
        guard isString else { return false }
        var s = s
        return s.withUTF8 { stringEquals(utf8: $0) }
    }

    /// Whether this is a string whose unescaped UTF-8 equals `utf8`.
    public func stringEquals(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let e = entry
        guard e.info & TapeKind.kindMask == TapeKind.string else { return false }
        let length = Int(e.end &- e.start)
        if e.info & TapeKind.flag == 0 {
            guard length == utf8.count else { return false }
            if length == 0 { return true }
            return storage.bytes.withUnsafeBufferPointer { source in
                memoryEquals(source.baseAddress! + Int(e.start), utf8.baseAddress!, length)
            }
        }
        // An escaped string is never longer unescaped than escaped, so a shorter source
        // with escapes cannot equal a longer target.
        guard length >= utf8.count else { return false }
        return withSourceContent { raw in unescapeJSONString(raw).elementsEqual(utf8) }
    }

    /// Calls `body` with the unescaped UTF-8 of this string: the source bytes themselves when
    /// there are no escapes, a temporary copy otherwise. Returns nil if not a string.
    public func withStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard isString else { return nil }
        if !hasFlag { return try withSourceContent(body) }
        let unescaped = withSourceContent { unescapeJSONString($0) }
        return try unescaped.withUnsafeBufferPointer(body)
    }

    /// Number of Unicode scalars in the string value (what JSON Schema's minLength counts).
    public var stringScalarCount: Int? {
        withStringBytes { bytes in
            var scalars = 0
            for b in bytes where b & 0xC0 != 0x80 { scalars += 1 }
            return scalars
        }
    }

    /// The string's content bytes between the quotes, as in the source (escapes not decoded).
    @inlinable
    func withSourceContent<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let e = entry
        return try storage.bytes.withUnsafeBufferPointer { source in
            try body(UnsafeBufferPointer(rebasing: source[Int(e.start)..<Int(e.end)]))
        }
    }
}

@inline(__always)
func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var k = 0
    while k &+ 8 <= count {
        if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self)
            != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) { return false }
        k &+= 8
    }
    while k < count {
        if a[k] != b[k] { return false }
        k &+= 1
    }
    return true
}

/// Decodes the escapes of already-validated string content into UTF-8. Runs between
/// backslashes are copied in bulk, since escapes are rare even in strings that have some.
func unescapeJSONString(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(raw.count)
    var i = 0
    let n = raw.count
    while i < n {
        var runEnd = i
        while runEnd < n && raw[runEnd] != UInt8(ascii: "\\") { runEnd &+= 1 }
        if runEnd > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<runEnd])) }
        i = runEnd
        if i >= n { break }
        let e = raw[i + 1]
        i += 2
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = decodeHex4(raw, i)
            i += 4
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                // Validated by the parser: a low surrogate escape follows.
                let low = decodeHex4(raw, i + 2)
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            appendUTF8(scalar, to: &out)
        default: out.append(e)  // '"', '\\', '/'
        }
    }
    return out
}

func decodeHex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
    var value: UInt32 = 0
    for k in at..<(at + 4) { value = value << 4 | (hexValue(raw[k]) ?? 0) }
    return value
}

func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    default:
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}
