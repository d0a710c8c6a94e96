/// Value semantics for JSON as JSON Schema understands it: numbers are equal when they are
/// mathematically equal ("1", "1.0", "10e-1"), objects ignore member order.
extension JSONNode {
    /// True when this is a number whose value is an integer, however it is written ("3", "3.0",
    /// "3e2"). Exact: decided on the decimal digits, never on a rounded Double.
    public var isIntegerValue: Bool {
        guard isNumber else { return false }
        if hasFlag { return true }
        return withNumberBytes { JSONDecimal($0).isInteger }
    }

    /// Structural equality: same kind; numbers compared exactly by value; strings by their
    /// unescaped bytes; arrays element by element; objects as unordered key -> value maps.
    /// Recursion depth is bounded by the documents' depth (the parser's `maxDepth`).
    public func jsonEquals(_ other: JSONNode) -> Bool {
        let kind = tapeKind
        guard kind == other.tapeKind else { return false }
        switch kind {
        case TapeKind.null:
            return true
        case TapeKind.bool:
            return hasFlag == other.hasFlag
        case TapeKind.number:
            return withNumberBytes { a in other.withNumberBytes { b in JSONDecimal(a) == JSONDecimal(b) } }
        case TapeKind.string:
            return withStringBytes { a in other.stringEquals(utf8: a) } ?? false
        case TapeKind.array:
            guard count == other.count else { return false }
            return zip(elements, other.elements).allSatisfy { $0.jsonEquals($1) }
        default:
            guard count == other.count else { return false }
            // Same key order (the usual case, and the only sane reading of duplicate keys):
            // compare pairwise. Otherwise look each key up in the other object.
            if zip(memberNodes, other.memberNodes).allSatisfy({ $0.key.jsonEquals($1.key) }) {
                return zip(memberNodes, other.memberNodes).allSatisfy { $0.value.jsonEquals($1.value) }
            }
            for (key, value) in memberNodes {
                let match = key.withStringBytes { other.memberValue(forKeyBytes: $0) } ?? nil
                guard let match, value.jsonEquals(match) else { return false }
            }
            return true
        }
    }

    func withNumberBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let e = entry
        return storage.bytes.withUnsafeBufferPointer { source in
            body(UnsafeBufferPointer(rebasing: source[Int(e.start)..<Int(e.end)]))
        }
    }
}

/// A JSON number in canonical form: value = ±significand × 10^exponent, where the significand
/// digits have no leading or trailing zeros (zero has no digits). Two numbers are equal exactly
/// when their canonical forms are equal. Exponents saturate at ±10^15, far beyond any Double.
struct JSONDecimal: Equatable {
    var negative = false
    var digits: [UInt8] = []
    var exponent = 0

    /// `text` must be valid JSON number syntax (the parser guarantees it).
    init(_ text: UnsafeBufferPointer<UInt8>) {
        var k = 0
        let n = text.count
        if text[k] == UInt8(ascii: "-") { negative = true; k += 1 }
        var fractionDigits = 0
        var seenPoint = false
        while k < n, text[k] | 0x20 != UInt8(ascii: "e") {
            let c = text[k]
            k += 1
            if c == UInt8(ascii: ".") { seenPoint = true; continue }
            if seenPoint { fractionDigits += 1 }
            if c == UInt8(ascii: "0") && digits.isEmpty { continue }  // leading zeros
            digits.append(c)
        }
        exponent = -fractionDigits + JSONDecimal.exponentValue(text, from: k)
        while let last = digits.last, last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { negative = false; exponent = 0 }
    }

    var isInteger: Bool { digits.isEmpty || exponent >= 0 }

    private static func exponentValue(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < text.count else { return 0 }
        var k = start + 1
        var sign = 1
        if text[k] == UInt8(ascii: "-") { sign = -1; k += 1 } else if text[k] == UInt8(ascii: "+") { k += 1 }
        var value = 0
        let limit = 1_000_000_000_000_000
        while k < text.count {
            value = min(limit, value * 10 + Int(text[k] - UInt8(ascii: "0")))
            k += 1
        }
        return sign * value
    }
}
