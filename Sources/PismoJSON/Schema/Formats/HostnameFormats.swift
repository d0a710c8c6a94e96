/// `hostname` (RFC 1123 LDH labels; `xn--` labels must be valid IDNA2008 A-labels) and
/// `idn-hostname` (RFC 5890-5893 U-labels).
///
/// Approximations (Swift's stdlib has no IDNA, Bidi_Class, Joining_Type or NFKC tables):
/// PVALID is "general category Ll/Lo/Lm/Nd/Mn/Mc, not uppercase" plus the RFC 5892 exception
/// table; Bidi classes and Arabic joining types are derived from script blocks; NFC is not checked.
enum HostnameFormats {
    static let labelSeparators: Set<UInt32> = [0x2E, 0x3002, 0xFF0E, 0xFF61]

    static func isHostname(_ text: String) -> Bool {
        let scalars = text.unicodeScalars.map(\.value)
        guard !scalars.isEmpty, scalars.count <= 253, scalars.allSatisfy({ $0 < 0x80 }) else { return false }
        return validate(labels: split(scalars, separators: [0x2E]), idn: false)
    }

    static func isIDNHostname(_ text: String) -> Bool {
        let scalars = text.unicodeScalars.map(\.value)
        guard !scalars.isEmpty else { return false }
        return validate(labels: split(scalars, separators: labelSeparators), idn: true)
    }

    private static func split(_ s: [UInt32], separators: Set<UInt32>) -> [[UInt32]] {
        var labels: [[UInt32]] = [[]]
        for c in s { if separators.contains(c) { labels.append([]) } else { labels[labels.count - 1].append(c) } }
        return labels
    }

    /// Validates every label; returns false on an empty label, a bad label or an over-long name.
    private static func validate(labels: [[UInt32]], idn: Bool) -> Bool {
        var uLabels: [[UInt32]] = []
        var totalLength = labels.count - 1
        for label in labels {
            guard !label.isEmpty, let (u, aLength) = checkLabel(label, idn: idn) else { return false }
            guard aLength <= 63 else { return false }
            totalLength += aLength
            uLabels.append(u)
        }
        guard totalLength <= 253 else { return false }
        // RFC 5893: once any label has right-to-left characters, every label must obey the Bidi rule.
        if uLabels.contains(where: { $0.contains { [.r, .al, .an].contains(Bidi.of($0)) } }) {
            return uLabels.allSatisfy(Bidi.satisfiesRule)
        }
        return true
    }

    /// Returns the label as Unicode and its A-label length, or nil when invalid.
    private static func checkLabel(_ label: [UInt32], idn: Bool) -> ([UInt32], Int)? {
        let isALabel = label.count >= 4 && label[0] | 0x20 == 0x78 && label[1] | 0x20 == 0x6E
            && label[2] == 0x2D && label[3] == 0x2D
        if isALabel {
            let payload = Array(label[4...])
            guard payload.allSatisfy({ $0 < 0x80 }), let u = Punycode.decode(payload),
                  u.contains(where: { $0 >= 0x80 }),
                  Punycode.encode(u) == payload.map({ $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }),
                  IDNALabel.isValidULabel(u) else { return nil }
            return (u, label.count)
        }
        if label.allSatisfy({ $0 < 0x80 }) {
            guard label.allSatisfy(isLDH), label.first != 0x2D, label.last != 0x2D else { return nil }
            if label.count >= 4, label[2] == 0x2D, label[3] == 0x2D { return nil }  // reserved "??--"
            return (label, label.count)
        }
        guard idn, IDNALabel.isValidULabel(label) else { return nil }
        return (label, 4 + Punycode.encode(label).count)
    }

    static func isLDH(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D
    }
}

/// RFC 5891 section 5.4 / RFC 5892 checks on one U-label.
enum IDNALabel {
    static let pvalidExceptions: Set<UInt32> = [0xDF, 0x3C2, 0x6FD, 0x6FE, 0xF0B, 0x3007]
    static let disallowedExceptions: Set<UInt32> = [0x640, 0x7FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033,
                                                     0x3034, 0x3035, 0x303B]

    static func isValidULabel(_ u: [UInt32]) -> Bool {
        guard let first = u.first, u.first != 0x2D, u.last != 0x2D else { return false }
        if u.count >= 4, u[2] == 0x2D, u[3] == 0x2D { return false }
        if isMark(first) { return false }
        for (i, c) in u.enumerated() where !isAllowed(c, at: i, in: u) { return false }
        return true
    }

    private static func category(_ c: UInt32) -> Unicode.GeneralCategory? { Unicode.Scalar(c)?.properties.generalCategory }

    static func isMark(_ c: UInt32) -> Bool {
        switch category(c) {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private static func isAllowed(_ c: UInt32, at i: Int, in u: [UInt32]) -> Bool {
        if c < 0x80 { return HostnameFormats.isLDH(c) }
        if pvalidExceptions.contains(c) { return true }
        if disallowedExceptions.contains(c) { return false }
        if let contextual = contextRule(c, at: i, in: u) { return contextual }
        guard let scalar = Unicode.Scalar(c), !scalar.properties.isUppercase,
              scalar.properties.changesWhenNFKCCaseFolded == false else { return false }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .otherLetter, .modifierLetter, .decimalNumber, .nonspacingMark, .spacingMark: return true
        default: return false
        }
    }

    /// CONTEXTJ / CONTEXTO rules (RFC 5892 Appendix A); nil when `c` has no rule.
    private static func contextRule(_ c: UInt32, at i: Int, in u: [UInt32]) -> Bool? {
        let before = i > 0 ? u[i - 1] : nil, after = i + 1 < u.count ? u[i + 1] : nil
        switch c {
        case 0x200D: return before.map(isVirama) ?? false
        case 0x200C: return (before.map(isVirama) ?? false) || zwnjJoiningContext(at: i, in: u)
        case 0xB7: return before == 0x6C && after == 0x6C
        case 0x375: return after.map(isGreek) ?? false
        case 0x5F3, 0x5F4: return before.map { $0 >= 0x591 && $0 <= 0x5FF } ?? false
        case 0x30FB:
            return u.contains { $0 != 0x30FB && ((0x3040...0x30FF).contains($0) || isHan($0)) }
        case 0x660...0x669: return !u.contains { (0x6F0...0x6F9).contains($0) }
        case 0x6F0...0x6F9: return !u.contains { (0x660...0x669).contains($0) }
        default: return nil
        }
    }

    private static func isVirama(_ c: UInt32) -> Bool { Unicode.Scalar(c)?.properties.canonicalCombiningClass.rawValue == 9 }
    private static func isGreek(_ c: UInt32) -> Bool { (0x370...0x3FF).contains(c) || (0x1F00...0x1FFF).contains(c) }
    private static func isHan(_ c: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(c) || (0x3400...0x4DBF).contains(c) || (0x20000...0x3134F).contains(c) || c == 0x3005
    }

    /// (L|D) T* ZWNJ T* (R|D): joining types approximated as "Arabic-block letter = dual-joining",
    /// "mark = transparent".
    private static func zwnjJoiningContext(at i: Int, in u: [UInt32]) -> Bool {
        func joining(_ c: UInt32) -> Bool { Bidi.of(c) == .al && !isMark(c) }
        var j = i - 1
        while j >= 0, isMark(u[j]) { j -= 1 }
        guard j >= 0, joining(u[j]) else { return false }
        var k = i + 1
        while k < u.count, isMark(u[k]) { k += 1 }
        return k < u.count && joining(u[k])
    }
}
