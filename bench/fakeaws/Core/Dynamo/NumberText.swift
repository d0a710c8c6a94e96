/// Exact comparison of DynamoDB numbers (decimal text, up to 38 digits, optional exponent) without
/// going through Double, which would make 2^53 + 1 equal to 2^53 and lie about conditions.
enum NumberText {
    /// sign, digits without leading/trailing zeros, and the decimal exponent of the first digit.
    struct Parsed { var negative: Bool; var digits: [UInt8]; var exponent: Int }

    static func parse(_ text: String) -> Parsed? {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var mantissa: [UInt8] = []
        var pointAt: Int?
        var exponent = 0
        var sawDigit = false
        while let c = bytes.first {
            if c >= 48 && c <= 57 { mantissa.append(c - 48); sawDigit = true }
            else if c == UInt8(ascii: "."), pointAt == nil { pointAt = mantissa.count }
            else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                guard let e = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)) else { return nil }
                exponent = e
                bytes = []
                break
            } else { return nil }
            bytes = bytes.dropFirst()
        }
        guard sawDigit else { return nil }
        let integerDigits = pointAt ?? mantissa.count
        guard let first = mantissa.firstIndex(where: { $0 != 0 }) else {
            return Parsed(negative: false, digits: [], exponent: 0)  // zero
        }
        let last = mantissa.lastIndex(where: { $0 != 0 })!
        return Parsed(negative: negative, digits: Array(mantissa[first...last]), exponent: integerDigits - first + exponent)
    }

    /// -1, 0, 1; texts that are not numbers sort as zero (the front end has refused them already).
    static func compare(_ a: String, _ b: String) -> Int {
        let x = parse(a) ?? Parsed(negative: false, digits: [], exponent: 0)
        let y = parse(b) ?? Parsed(negative: false, digits: [], exponent: 0)
        let sx = x.digits.isEmpty ? 0 : (x.negative ? -1 : 1)
        let sy = y.digits.isEmpty ? 0 : (y.negative ? -1 : 1)
        if sx != sy { return sx < sy ? -1 : 1 }
        if sx == 0 { return 0 }
        let magnitude = compareMagnitude(x, y)
        return sx > 0 ? magnitude : -magnitude
    }

    private static func compareMagnitude(_ x: Parsed, _ y: Parsed) -> Int {
        if x.exponent != y.exponent { return x.exponent < y.exponent ? -1 : 1 }
        for i in 0..<max(x.digits.count, y.digits.count) {
            let a = i < x.digits.count ? x.digits[i] : 0
            let b = i < y.digits.count ? y.digits[i] : 0
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }
}
