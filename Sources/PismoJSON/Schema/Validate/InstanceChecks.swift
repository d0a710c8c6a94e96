/// Type, number and string predicates on instance nodes, allocation-free on the common path.
enum InstanceChecks {
    static func typeName(_ node: JSONNode) -> String {
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
    static func matches(_ types: TypeSet, _ node: JSONNode) -> Bool {
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
    static func isInteger(_ node: JSONNode) -> Bool {
        node.withNumberBytes { bytes in
            if !bytes.contains(where: { $0 == 0x2E || $0 | 0x20 == 0x65 }) { return true }
            return DecimalNumber(text: bytes)?.isInteger ?? false
        }
    }

    static func numberText(_ node: JSONNode) -> String {
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
    static func compare(_ node: JSONNode, _ bound: NumberBound) -> Int {
        node.withNumberBytes { bytes in
            if bound.doubleIsExact && fitsDouble(bytes), let d = parseDouble(bytes) {
                return d < bound.double ? -1 : (d > bound.double ? 1 : 0)
            }
            guard let exact = DecimalNumber(text: bytes) else { return 0 }
            return DecimalNumber.compare(exact, bound.exact)
        }
    }

    static func isMultiple(_ node: JSONNode, of divisor: NumberBound) -> Bool {
        node.withNumberBytes { bytes in
            // Fast path: integer instance and integer divisor, both small.
            if divisor.exact.isInteger, divisor.doubleIsExact, let v = parseInt(bytes) {
                return v % Int(divisor.double) == 0
            }
            guard let exact = DecimalNumber(text: bytes) else { return false }
            return exact.isMultiple(of: divisor.exact)
        }
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

    private static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let i = parseInt(bytes) { return Double(i) }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    @inline(__always)
    static func codePointCount(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in utf8 where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    @inline(__always)
    static func bytesEqual(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { pa in
            for i in 0..<pa.count where pa[i] != b[i] { return false }
            return true
        }
    }
}
