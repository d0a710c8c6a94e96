/// Number access. Numbers are kept as their exact source text; conversions happen here, on
/// demand, and fail (nil) rather than round when the value does not fit the requested type.
extension JSONNode {
    /// The number exactly as written in the source, e.g. "12345678901234567890.000001".
    public var numberText: String? {
        guard isNumber else { return nil }
        let e = entry
        return storage.bytes.withUnsafeBufferPointer { source in
            String(decoding: UnsafeBufferPointer(rebasing: source[Int(e.start)..<Int(e.end)]), as: UTF8.self)
        }
    }

    /// True when the number is written without fraction or exponent ("-12", not "1.0" or "1e3").
    public var isIntegerSyntax: Bool { isNumber && hasFlag }

    public var int: Int? { int64.map { Int($0) } }

    /// The value if it is written as an integer and fits in Int64.
    public var int64: Int64? {
        guard isNumber && hasFlag else { return nil }
        let e = entry
        return storage.bytes.withUnsafeBufferPointer { source -> Int64? in
            var k = Int(e.start)
            let end = Int(e.end)
            let negative = source[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            // Accumulate negatively so Int64.min parses without overflow.
            var value: Int64 = 0
            while k < end {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int64(source[k] &- UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                value = s
                k += 1
            }
            if negative { return value }
            return value == Int64.min ? nil : -value
        }
    }

    /// The value if it is written as a non-negative integer and fits in UInt64.
    public var uint64: UInt64? {
        guard isNumber && hasFlag else { return nil }
        let e = entry
        return storage.bytes.withUnsafeBufferPointer { source -> UInt64? in
            var k = Int(e.start)
            if source[k] == UInt8(ascii: "-") {
                // "-0" is zero; any other negative does not fit.
                return e.end - e.start == 2 && source[k + 1] == UInt8(ascii: "0") ? 0 : nil
            }
            var value: UInt64 = 0
            while k < Int(e.end) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(source[k] &- UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                value = s
                k += 1
            }
            return value
        }
    }

    /// The nearest Double (correctly rounded). Numbers too large for Double give ±infinity,
    /// as strtod does; callers that care can compare against `numberText`.
    public var double: Double? {
        guard isNumber else { return nil }
        let e = entry
        // Small integers convert exactly without going through text.
        if hasFlag && e.end - e.start <= 15, let v = int64 { return Double(v) }
        guard let text = numberText else { return nil }
        return Double(text)
    }
}
