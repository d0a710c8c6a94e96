/// Character classes and escapes (`[...]`, `\d`, `\p{..}`, `\u{..}`, `\cX`, ...).
extension RegexParser {
    mutating func parseClass() throws(RegexSyntaxError) -> RegexCharSet {
        advance()  // '['
        let negated = eat(0x5E)
        var items: [RegexCharSet.Item] = []
        while true {
            guard let c = peek else { throw fail("unterminated character class") }
            if c == 0x5D { advance(); break }
            let lowAtom = try parseClassAtom()
            if peek == 0x2D, let next = peek(1), next != 0x5D {
                advance()
                let highAtom = try parseClassAtom()
                guard case .scalar(let lo) = lowAtom, case .scalar(let hi) = highAtom else {
                    throw fail("class escape used as range bound")
                }
                guard lo <= hi else { throw fail("class range out of order") }
                items.append(.range(lo, hi))
            } else {
                switch lowAtom {
                case .scalar(let s): items.append(.range(s, s))
                case .set(let set): items.append(contentsOf: Self.flatten(set))
                }
            }
        }
        return RegexCharSet(items: items, negated: negated)
    }

    private enum ClassAtom { case scalar(UInt32), set(RegexCharSet) }

    private mutating func parseClassAtom() throws(RegexSyntaxError) -> ClassAtom {
        let c = peek!
        guard c == 0x5C else { advance(); return .scalar(c) }
        advance()
        if peek == 0x62 { advance(); return .scalar(0x08) }  // \b is backspace inside a class
        if peek == 0x2D { advance(); return .scalar(0x2D) }
        if let set = try parseClassEscape() { return .set(set) }
        return .scalar(try parseCharacterEscape(inClass: true))
    }

    /// A class escape used inside another class becomes items; negation folds into a property.
    private static func flatten(_ set: RegexCharSet) -> [RegexCharSet.Item] {
        guard set.negated else { return set.items }
        if set.items.count == 1, case .property(let p, let neg) = set.items[0] { return [.property(p, negated: !neg)] }
        return [.property(.categories([]), negated: false)]  // unreachable for escapes we build
    }

    /// `\d \D \s \S \w \W \p{..} \P{..}` (the backslash already consumed), or nil.
    mutating func parseClassEscape() throws(RegexSyntaxError) -> RegexCharSet? {
        guard let c = peek else { return nil }
        let property: UnicodeProperty
        switch c {
        case 0x64, 0x44: property = .digit
        case 0x73, 0x53: property = .space
        case 0x77, 0x57: property = .word
        case 0x70, 0x50:
            advance()
            guard eat(0x7B) else { throw fail("\\p needs {name}") }
            var name = ""
            while let s = peek, s != 0x7D { name.unicodeScalars.append(Unicode.Scalar(s)!); advance() }
            guard eat(0x7D), let p = UnicodePropertyNames.lookup(name) else { throw fail("unknown property \(name)") }
            return RegexCharSet(items: [.property(p, negated: c == 0x50)], negated: false)
        default: return nil
        }
        advance()
        let negated = c == 0x44 || c == 0x53 || c == 0x57
        return RegexCharSet(items: [.property(property, negated: negated)], negated: false)
    }

    /// A CharacterEscape (backslash consumed): control, `\cX`, `\0`, `\xHH`, `\uHHHH`, `\u{H..}`, identity.
    mutating func parseCharacterEscape(inClass: Bool) throws(RegexSyntaxError) -> UInt32 {
        guard let c = peek else { throw fail("trailing backslash") }
        advance()
        switch c {
        case 0x66: return 0x0C
        case 0x6E: return 0x0A
        case 0x72: return 0x0D
        case 0x74: return 0x09
        case 0x76: return 0x0B
        case 0x63:
            guard let l = peek, (l | 0x20) >= 0x61, (l | 0x20) <= 0x7A else { throw fail("bad \\c escape") }
            advance()
            return l % 32
        case 0x30:
            if let d = peek, d >= 0x30, d <= 0x39 { throw fail("octal escapes are not allowed") }
            return 0
        case 0x78: return try parseHex(digits: 2)
        case 0x75: return try parseUnicodeEscape()
        case 0x5E, 0x24, 0x5C, 0x2E, 0x2A, 0x2B, 0x3F, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C, 0x2F:
            return c
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func parseUnicodeEscape() throws(RegexSyntaxError) -> UInt32 {
        if eat(0x7B) {
            var value: UInt32 = 0, count = 0
            while let h = peek, let v = Self.hexValue(h) {
                value = value * 16 + v; count += 1; advance()
                if value > 0x10FFFF { throw fail("code point out of range") }
            }
            guard count > 0, eat(0x7D) else { throw fail("bad \\u{} escape") }
            return value
        }
        let first = try parseHex(digits: 4)
        // A surrogate pair written as two escapes denotes one scalar in Unicode mode.
        if first >= 0xD800, first <= 0xDBFF, peek == 0x5C, peek(1) == 0x75 {
            let save = (peek(2), peek(3))
            if let a = save.0, let b = save.1, Self.hexValue(a) != nil, Self.hexValue(b) != nil {
                advance(); advance()
                let second = try parseHex(digits: 4)
                if second >= 0xDC00, second <= 0xDFFF {
                    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                }
                return first
            }
        }
        return first
    }

    private mutating func parseHex(digits: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let h = peek, let v = Self.hexValue(h) else { throw fail("bad hex escape") }
            value = value * 16 + v
            advance()
        }
        return value
    }

    static func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }
}
