/// An exact JSON number: `(-1)^negative * digits * 10^exponent`, digits without leading or
/// trailing zeros (zero is the empty digit list, never negative).
///
/// Used for numeric keywords when a value has more than 15 significant digits or an extreme
/// exponent (below that, Double comparison is exact because every such decimal maps to a
/// distinct, order-preserving Double) and for `multipleOf` with fractional operands.
struct ExactDecimal: Sendable, Equatable {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    /// Parses JSON number text (`-?int(.frac)?([eE][+-]?exp)?`); nil if malformed.
    init?<C: Collection>(text: C) where C.Element == UInt8 {
        var negative = false, digits: [UInt8] = [], exponent = 0
        var it = text.makeIterator()
        var c = it.next()
        if c == 0x2D { negative = true; c = it.next() }
        var sawDigit = false, afterPoint = false
        while let ch = c {
            if ch >= 0x30 && ch <= 0x39 {
                sawDigit = true
                if !(digits.isEmpty && ch == 0x30) { digits.append(ch - 0x30) }
                if afterPoint { exponent -= 1 }
            } else if ch == 0x2E, !afterPoint {
                afterPoint = true
            } else { break }
            c = it.next()
        }
        guard sawDigit else { return nil }
        if let e = c {
            guard e | 0x20 == 0x65 else { return nil }
            var expNegative = false, value = 0, expDigits = 0
            c = it.next()
            if c == 0x2D || c == 0x2B { expNegative = c == 0x2D; c = it.next() }
            while let ch = c, ch >= 0x30 && ch <= 0x39 {
                value = min(value * 10 + Int(ch - 0x30), 1_000_000_000)
                expDigits += 1
                c = it.next()
            }
            guard expDigits > 0, c == nil else { return nil }
            exponent += expNegative ? -value : value
        }
        while let last = digits.last, last == 0 { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { negative = false; exponent = 0 }
        self.negative = negative
        self.digits = digits
        self.exponent = exponent
    }

    init?(_ text: String) { self.init(text: Array(text.utf8)) }

    var isZero: Bool { digits.isEmpty }
    var isInteger: Bool { exponent >= 0 }
    /// Position of the most significant digit (10^magnitude <= |x| < 10^(magnitude+1)).
    private var magnitude: Int { digits.count + exponent - 1 }

    static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int {
        if a.isZero && b.isZero { return 0 }
        if a.negative != b.negative || a.isZero || b.isZero {
            let signA = a.isZero ? 0 : (a.negative ? -1 : 1), signB = b.isZero ? 0 : (b.negative ? -1 : 1)
            return signA < signB ? -1 : (signA > signB ? 1 : 0)
        }
        let flip = a.negative ? -1 : 1
        if a.magnitude != b.magnitude { return (a.magnitude < b.magnitude ? -1 : 1) * flip }
        for i in 0..<max(a.digits.count, b.digits.count) {
            let da = i < a.digits.count ? a.digits[i] : 0, db = i < b.digits.count ? b.digits[i] : 0
            if da != db { return (da < db ? -1 : 1) * flip }
        }
        return 0
    }

    /// True when self / divisor is an integer. Exact while the divisor's digits fit in 18
    /// decimal digits and the exponent gap is below 100,000; beyond that falls back to Double.
    func isMultiple(of divisor: ExactDecimal) -> Bool {
        if isZero { return true }
        guard !divisor.isZero else { return false }
        let base = min(exponent, divisor.exponent)
        let padDividend = exponent - base, padDivisor = divisor.exponent - base
        guard divisor.digits.count + padDivisor <= 18, padDividend < 100_000 else {
            let q = toDouble() / divisor.toDouble()
            return q.isFinite && q == q.rounded()
        }
        var m: UInt64 = 0
        for d in divisor.digits { m = m * 10 + UInt64(d) }
        for _ in 0..<padDivisor { m *= 10 }
        var r: UInt64 = 0
        for d in digits { r = (r * 10 + UInt64(d)) % m }
        for _ in 0..<padDividend {
            r = (r * 10) % m
            if r == 0 { return true }
        }
        return r == 0
    }

    func toDouble() -> Double {
        var text = negative ? "-" : ""
        text += digits.isEmpty ? "0" : digits.map { String($0) }.joined()
        text += "e\(exponent)"
        return Double(text) ?? (negative ? -.infinity : .infinity)
    }
}
