/// Recursive-descent parser for ECMA-262 `Pattern` with the `u` flag (Unicode sets semantics off).
///
/// Works on the pattern's scalars; errors carry the scalar offset. In Unicode mode identity
/// escapes are limited to syntax characters and `/`, lone braces/brackets are errors, and
/// backreferences must name an existing group - which is why `\a` or `(?i)` are rejected.
struct RegexParser {
    private let scalars: [UInt32]
    private var pos = 0
    private(set) var groupCount = 0
    private(set) var groupNames: [String: Int] = [:]
    private var maxBackreference = 0
    private var usedNames: [String] = []

    init(_ pattern: String) { scalars = pattern.unicodeScalars.map(\.value) }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try parseDisjunction()
        if pos < scalars.count { throw fail(peek == 0x29 ? "unmatched ')'" : "unexpected character") }
        if maxBackreference > groupCount { throw fail("backreference to missing group \(maxBackreference)") }
        for name in usedNames where groupNames[name] == nil { throw fail("unknown group name \(name)") }
        return node
    }

    // MARK: structure

    private mutating func parseDisjunction() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseAlternative()]
        while eat(0x7C) { branches.append(try parseAlternative()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseAlternative() throws(RegexSyntaxError) -> RegexNode {
        var terms: [RegexNode] = []
        while let c = peek, c != 0x7C, c != 0x29 { terms.append(try parseTerm()) }
        return terms.count == 1 ? terms[0] : (terms.isEmpty ? .empty : .sequence(terms))
    }

    private mutating func parseTerm() throws(RegexSyntaxError) -> RegexNode {
        let c = peek!
        switch c {
        case 0x5E: pos += 1; return .lineStart
        case 0x24: pos += 1; return .lineEnd
        case 0x5C where peek(1) == 0x62 || peek(1) == 0x42:
            pos += 2; return .wordBoundary(negated: scalars[pos - 1] == 0x42)
        case 0x28 where peek(1) == 0x3F && (peek(2) == 0x3D || peek(2) == 0x21):
            let negated = peek(2) == 0x21
            pos += 3
            return .look(try parseGroupBody(), ahead: true, negated: negated)
        case 0x28 where peek(1) == 0x3F && peek(2) == 0x3C && (peek(3) == 0x3D || peek(3) == 0x21):
            let negated = peek(3) == 0x21
            pos += 4
            return .look(try parseGroupBody(), ahead: false, negated: negated)
        default:
            let atom = try parseAtom()
            return try parseQuantifier(atom)
        }
    }

    private mutating func parseGroupBody() throws(RegexSyntaxError) -> RegexNode {
        let body = try parseDisjunction()
        guard eat(0x29) else { throw fail("missing ')'") }
        return body
    }

    private mutating func parseQuantifier(_ atom: RegexNode) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek else { return atom }
        var minCount = 0, maxCount: Int? = nil
        switch c {
        case 0x2A: pos += 1
        case 0x2B: pos += 1; minCount = 1
        case 0x3F: pos += 1; maxCount = 1
        case 0x7B:
            pos += 1
            guard let lo = parseInt() else { throw fail("lone '{'") }
            minCount = lo; maxCount = lo
            if eat(0x2C) { maxCount = parseInt() }
            guard eat(0x7D) else { throw fail("unterminated quantifier") }
            if let hi = maxCount, hi < lo { throw fail("quantifier range out of order") }
        default: return atom
        }
        let greedy = !eat(0x3F)
        return .repeating(atom, min: minCount, max: maxCount, greedy: greedy)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        let c = scalars[pos]
        switch c {
        case 0x2E:
            pos += 1
            return .set(RegexCharSet(items: [.property(.lineTerminator, negated: false)], negated: true))
        case 0x28: return try parseGroup()
        case 0x5B: return .set(try parseClass())
        case 0x5C: return try parseAtomEscape()
        case 0x2A, 0x2B, 0x3F: throw fail("nothing to repeat")
        case 0x7B, 0x7D, 0x5D: throw fail("lone '\(Character(Unicode.Scalar(c)!))'")
        default: pos += 1; return .set(.single(c))
        }
    }

    private mutating func parseGroup() throws(RegexSyntaxError) -> RegexNode {
        pos += 1
        if eat(0x3F) {
            if eat(0x3A) { return .group(try parseGroupBody(), capture: nil) }
            guard eat(0x3C) else { throw fail("invalid group") }
            let name = try parseGroupName()
            groupCount += 1
            let index = groupCount
            if groupNames[name] != nil { throw fail("duplicate group name") }
            groupNames[name] = index
            return .group(try parseGroupBody(), capture: index)
        }
        groupCount += 1
        let index = groupCount
        return .group(try parseGroupBody(), capture: index)
    }

    private mutating func parseGroupName() throws(RegexSyntaxError) -> String {
        var name = ""
        while let c = peek, c != 0x3E {
            guard let s = Unicode.Scalar(c), s.properties.isIDContinue || c == 0x24 else { throw fail("bad group name") }
            name.unicodeScalars.append(s)
            pos += 1
        }
        guard eat(0x3E), let first = name.unicodeScalars.first,
              first.properties.isIDStart || first == "$" || first == "_" else { throw fail("bad group name") }
        return name
    }

    private mutating func parseAtomEscape() throws(RegexSyntaxError) -> RegexNode {
        pos += 1
        guard let c = peek else { throw fail("trailing backslash") }
        if c >= 0x31 && c <= 0x39 {
            let n = parseInt()!
            maxBackreference = max(maxBackreference, n)
            return .backreference(n)
        }
        if c == 0x6B {
            pos += 1
            guard eat(0x3C) else { throw fail("bad \\k") }
            let name = try parseGroupName()
            usedNames.append(name)
            return .namedBackreference(name)
        }
        if let set = try parseClassEscape() { return .set(set) }
        return .set(.single(try parseCharacterEscape(inClass: false)))
    }

    // MARK: scanning helpers shared with RegexParser+Class

    var peek: UInt32? { pos < scalars.count ? scalars[pos] : nil }
    func peek(_ ahead: Int) -> UInt32? { pos + ahead < scalars.count ? scalars[pos + ahead] : nil }
    mutating func advance() { pos += 1 }
    mutating func eat(_ c: UInt32) -> Bool {
        if peek == c { pos += 1; return true }
        return false
    }
    func fail(_ reason: String) -> RegexSyntaxError { RegexSyntaxError(offset: pos, reason: reason) }

    mutating func parseInt() -> Int? {
        var value: Int? = nil
        while let c = peek, c >= 0x30, c <= 0x39 {
            value = min((value ?? 0) * 10 + Int(c - 0x30), 1_000_000)
            pos += 1
        }
        return value
    }
}
