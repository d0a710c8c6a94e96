/// A set of Unicode scalars as used by one ECMA-262 character class (or `.`, `\d`, `\p{..}`).
///
/// Invariant: `asciiBits` holds the exact answer for every scalar < 128 (precomputed from the
/// items and the negation), so the common ASCII case is one bit test; only non-ASCII scalars
/// walk `items`. Immutable after construction; safe to share across threads.
struct RegexCharSet: Sendable {
    enum Item: Sendable {
        case range(UInt32, UInt32)
        case property(UnicodeProperty, negated: Bool)
    }

    private(set) var items: [Item]
    private(set) var negated: Bool
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0
    /// True when no scalar >= 128 can be a member (lets the fast path prove disjointness).
    private(set) var isASCIIOnly = false

    init(items: [Item], negated: Bool) {
        self.items = items
        self.negated = negated
        for c in 0..<128 where slowContains(UInt32(c)) {
            if c < 64 { asciiLow |= 1 << UInt64(c) } else { asciiHigh |= 1 << UInt64(c - 64) }
        }
        isASCIIOnly = !negated && items.allSatisfy {
            if case .range(_, let hi) = $0 { return hi < 128 }
            return false
        }
    }

    static func single(_ c: UInt32) -> RegexCharSet { RegexCharSet(items: [.range(c, c)], negated: false) }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return asciiLow & (1 << UInt64(c)) != 0 }
        if c < 128 { return asciiHigh & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    /// True when no ASCII scalar belongs to both sets and both are ASCII-only.
    func isDisjointASCII(from other: RegexCharSet) -> Bool {
        isASCIIOnly && other.isASCIIOnly && asciiLow & other.asciiLow == 0 && asciiHigh & other.asciiHigh == 0
    }

    private func slowContains(_ c: UInt32) -> Bool {
        var hit = false
        for item in items {
            switch item {
            case .range(let lo, let hi): hit = c >= lo && c <= hi
            case .property(let p, let neg): hit = p.contains(c) != neg
            }
            if hit { break }
        }
        return hit != negated
    }
}

/// The named character properties the engine knows: `\d \s \w`, `.` and the `\p{...}` forms.
enum UnicodeProperty: Sendable {
    case digit, space, word, lineTerminator, any
    case categories(Set<UInt8>)     // general categories by GeneralCategoryIndex
    case alphabetic, whiteSpace, ascii, uppercase, lowercase, emoji
    case scriptRanges([ClosedRange<UInt32>])

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .digit: return c >= 0x30 && c <= 0x39
        case .word: return (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F
        case .lineTerminator: return c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029
        case .space: return UnicodeProperty.isECMASpace(c)
        case .any: return true
        case .ascii: return c < 128
        case .scriptRanges(let ranges): return ranges.contains { $0.contains(c) }
        default: break
        }
        guard let s = Unicode.Scalar(c) else { return false }
        switch self {
        case .categories(let set): return set.contains(GeneralCategoryIndex.of(s.properties.generalCategory))
        case .alphabetic: return s.properties.isAlphabetic
        case .whiteSpace: return s.properties.isWhitespace
        case .uppercase: return s.properties.isUppercase
        case .lowercase: return s.properties.isLowercase
        case .emoji: return s.properties.isEmoji
        default: return false
        }
    }

    /// ECMA-262 WhiteSpace + LineTerminator: Unicode Zs plus TAB, VT, FF, BOM and the line ends.
    static func isECMASpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }
}
