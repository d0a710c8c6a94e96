/// Approximate Bidi_Class for the RFC 5893 Bidi rule, from script blocks and general categories.
enum Bidi: Equatable {
    case l, r, al, en, an, es, cs, et, on, bn, nsm

    static func of(_ c: UInt32) -> Bidi {
        switch c {
        case 0x30...0x39, 0x6F0...0x6F9: return .en
        case 0x660...0x669, 0x66B, 0x66C: return .an
        case 0x2B, 0x2D: return .es
        case 0x2C, 0x2E, 0x2F, 0x3A: return .cs
        case 0x23...0x25: return .et
        default: break
        }
        if IDNALabel.isMark(c) { return .nsm }
        if (0x590...0x5FF).contains(c) || (0x7C0...0x85F).contains(c) || (0xFB1D...0xFB4F).contains(c) { return .r }
        if (0x600...0x6FF).contains(c) || (0x750...0x77F).contains(c) || (0x8A0...0x8FF).contains(c)
            || (0xFB50...0xFDFF).contains(c) || (0xFE70...0xFEFF).contains(c) { return .al }
        guard let s = Unicode.Scalar(c) else { return .on }
        return s.properties.isAlphabetic || s.properties.generalCategory == .decimalNumber ? .l : .on
    }

    /// RFC 5893 section 2, rules 1-6, for one label of a Bidi domain name.
    static func satisfiesRule(_ label: [UInt32]) -> Bool {
        let classes = label.map(of)
        guard let first = classes.first, [.l, .r, .al].contains(first) else { return false }
        let lastNonNSM = classes.last { $0 != .nsm }
        if first == .l {
            let allowed: [Bidi] = [.l, .en, .es, .cs, .et, .on, .bn, .nsm]
            return classes.allSatisfy(allowed.contains) && (lastNonNSM == .l || lastNonNSM == .en)
        }
        let allowed: [Bidi] = [.r, .al, .an, .en, .es, .cs, .et, .on, .bn, .nsm]
        guard classes.allSatisfy(allowed.contains), let last = lastNonNSM, [.r, .al, .en, .an].contains(last) else {
            return false
        }
        return !(classes.contains(.en) && classes.contains(.an))
    }
}
