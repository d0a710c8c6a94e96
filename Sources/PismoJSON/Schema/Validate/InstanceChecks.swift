/// Type, number and string predicates on instance nodes, allocation-free on the common path.
enum InstanceChecks {
    static func typeName(_ node: Instance) -> String {
        switch node.kind {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return isInteger(node) ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    @inline(__always)
    static func matches(_ types: TypeSet, _ node: Instance) -> Bool {
        switch node.kind {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case .number: return types.contains(.number) || (types.contains(.integer) && isInteger(node))
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        }
    }

    /// JSON Schema integers are numbers with no fractional part, however written (1.0, 1e2).
    static func isInteger(_ node: Instance) -> Bool {
        node.withNumberBytes { bytes in
            if !bytes.contains(where: { $0 == 0x2E || $0 | 0x20 == 0x65 }) { return true }
            return ExactDecimal(text: bytes)?.isInteger ?? false
        }
    }

    static func numberText(_ node: Instance) -> String {
        node.withNumberBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Count of significant digits if the text is plain enough for an exact Double comparison.
    private static func fitsDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var significant = 0, leading = true
        for b in bytes {
            if b | 0x20 == 0x65 { return false }  // exponent forms go the exact way
            guard b >= 0x30 && b <= 0x39 else { continue }
            if leading && b == 0x30 { continue }
            leading = false
            significant += 1
        }
        return significant <= 15
    }

    /// Sign of (instance - bound).
    static func compare(_ node: Instance, _ bound: UnsafePointer<NumberBound>) -> Int {
        node.withNumberBytes { bytes in
            if bound.pointee.doubleIsExact && fitsDouble(bytes), let d = parseDouble(bytes) {
                let b = bound.pointee.double
                return d < b ? -1 : (d > b ? 1 : 0)
            }
            guard let exact = ExactDecimal(text: bytes) else { return 0 }
            return ExactDecimal.compare(exact, bound.pointee.exact)
        }
    }

    static func isMultiple(_ node: Instance, of divisor: UnsafePointer<NumberBound>) -> Bool {
        node.withNumberBytes { bytes in
            // Fast path: integer instance and integer divisor, both small.
            if divisor.pointee.integerDivisor > 0, let v = parseInt(bytes) {
                return v % divisor.pointee.integerDivisor == 0
            }
            // Cents-style divisors (0.01): a plain decimal with no more fraction digits than
            // the divisor's scale is a multiple iff its scaled integer is.
            if divisor.pointee.scaledDivisor > 0, let scaled = scaledInteger(bytes, scale: divisor.pointee.scale) {
                return scaled % divisor.pointee.scaledDivisor == 0
            }
            guard let exact = ExactDecimal(text: bytes) else { return false }
            return exact.isMultiple(of: divisor.pointee.exact)
        }
    }

    /// `-?digits(.digits)?` times 10^scale as an integer, when exact and small; else nil.
    private static func scaledInteger(_ bytes: UnsafeBufferPointer<UInt8>, scale: Int) -> Int? {
        var i = 0, value = 0, fraction = 0, afterPoint = false, digits = 0
        if bytes.first == 0x2D { i = 1 }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x2E, !afterPoint { afterPoint = true; i += 1; continue }
            let d = b &- 0x30
            guard d < 10, digits < 17 else { return nil }
            value = value * 10 + Int(d)
            digits += 1
            if afterPoint { fraction += 1 }
            i += 1
        }
        guard fraction <= scale, digits + scale - fraction <= 18 else { return nil }
        for _ in fraction..<scale { value *= 10 }
        return value
    }

    /// Plain `-?digits` up to 18 digits, else nil.
    static func parseInt(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0, negative = false, value = 0
        if bytes.first == 0x2D { negative = true; i = 1 }
        guard i < bytes.count, bytes.count - i <= 18 else { return nil }
        while i < bytes.count {
            let d = bytes[i] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
            i += 1
        }
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { pow10($0) }
    private static func pow10(_ n: Int) -> Double { n == 0 ? 1 : 10 * pow10(n - 1) }

    /// `-?digits(.digits)?` with at most 15 significant digits, converted exactly: the digits
    /// form an exactly representable integer and 10^k (k <= 22) is exact, so one division
    /// rounds correctly. Anything else goes through the standard library parser.
    private static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let i = parseInt(bytes) { return Double(i) }
        var i = 0, negative = false, mantissa = 0, fraction = 0, digits = 0, afterPoint = false
        if bytes.first == 0x2D { negative = true; i = 1 }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x2E, !afterPoint { afterPoint = true; i += 1; continue }
            let d = b &- 0x30
            guard d < 10, digits < 15 else { return Double(String(decoding: bytes, as: UTF8.self)) }
            mantissa = mantissa * 10 + Int(d)
            if mantissa > 0 { digits += 1 }
            if afterPoint { fraction += 1 }
            i += 1
        }
        guard fraction <= 22 else { return Double(String(decoding: bytes, as: UTF8.self)) }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    @inline(__always)
    static func codePointCount(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in utf8 where b & 0xC0 != 0x80 { n += 1 }
        return n
    }
}
