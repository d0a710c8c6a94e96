/// RFC 3492 Punycode (the `xn--` A-label payload), decode and encode over Unicode scalars.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    private static func adapt(_ deltaIn: Int, _ numPoints: Int, _ first: Bool) -> Int {
        var delta = first ? deltaIn / damp : deltaIn / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digitValue(_ c: UInt32) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c) - 0x30 + 26
        case 0x41...0x5A: return Int(c) - 0x41
        case 0x61...0x7A: return Int(c) - 0x61
        default: return nil
        }
    }

    private static func digitChar(_ d: Int) -> UInt32 { UInt32(d < 26 ? d + 0x61 : d - 26 + 0x30) }

    static func decode(_ input: [UInt32]) -> [UInt32]? {
        var output: [UInt32] = []
        var rest = input[...]
        if let dash = input.lastIndex(of: 0x2D) {
            for c in input[..<dash] {
                guard c < 0x80 else { return nil }
                output.append(c)
            }
            rest = input[(dash + 1)...]
        }
        var n = initialN, i = 0, bias = initialBias
        var iterator = rest.makeIterator()
        var pending = iterator.next()
        while pending != nil {
            let oldI = i
            var w = 1, k = base
            while true {
                guard let c = pending, let digit = digitValue(c) else { return nil }
                pending = iterator.next()
                i += digit * w
                guard i < 0x7FFF_FFFF else { return nil }
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                w *= base - t
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, !(0xD800...0xDFFF).contains(n) else { return nil }
            output.insert(UInt32(n), at: i)
            i += 1
        }
        return output
    }

    static func encode(_ input: [UInt32]) -> [UInt32] {
        var output = input.filter { $0 < 0x80 }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(0x2D) }
        var n = initialN, delta = 0, bias = initialBias
        while handled < input.count {
            let m = Int(input.filter { Int($0) >= n }.min()!)
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                if Int(c) < n { delta += 1 }
                if Int(c) == n {
                    var q = delta, k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digitChar(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digitChar(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }
}
