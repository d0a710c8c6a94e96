/// Maps `\p{Name}` / `\p{General_Category=Name}` / `\p{Script=Name}` to a `UnicodeProperty`.
///
/// General categories and the common binary properties come from the Swift standard library's
/// Unicode tables. Swift exposes no Script property, so scripts are approximated by the main
/// Unicode blocks of the scripts listed in `scriptBlocks` (documented in docs/json-schema.md).
enum GeneralCategoryIndex {
    // Order matters: indices are stored in the sets built below.
    static let shortNames = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
                             "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
                             "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"]
    static let longNames = ["Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter",
                            "Other_Letter", "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark",
                            "Decimal_Number", "Letter_Number", "Other_Number", "Connector_Punctuation",
                            "Dash_Punctuation", "Open_Punctuation", "Close_Punctuation", "Initial_Punctuation",
                            "Final_Punctuation", "Other_Punctuation", "Math_Symbol", "Currency_Symbol",
                            "Modifier_Symbol", "Other_Symbol", "Space_Separator", "Line_Separator",
                            "Paragraph_Separator", "Control", "Format", "Surrogate", "Private_Use", "Unassigned"]
    static let groups: [String: String] = [
        "L": "Letter", "LC": "Cased_Letter", "M": "Mark", "N": "Number", "P": "Punctuation",
        "S": "Symbol", "Z": "Separator", "C": "Other",
    ]

    static func of(_ gc: Unicode.GeneralCategory) -> UInt8 {
        switch gc {
        case .uppercaseLetter: return 0
        case .lowercaseLetter: return 1
        case .titlecaseLetter: return 2
        case .modifierLetter: return 3
        case .otherLetter: return 4
        case .nonspacingMark: return 5
        case .spacingMark: return 6
        case .enclosingMark: return 7
        case .decimalNumber: return 8
        case .letterNumber: return 9
        case .otherNumber: return 10
        case .connectorPunctuation: return 11
        case .dashPunctuation: return 12
        case .openPunctuation: return 13
        case .closePunctuation: return 14
        case .initialPunctuation: return 15
        case .finalPunctuation: return 16
        case .otherPunctuation: return 17
        case .mathSymbol: return 18
        case .currencySymbol: return 19
        case .modifierSymbol: return 20
        case .otherSymbol: return 21
        case .spaceSeparator: return 22
        case .lineSeparator: return 23
        case .paragraphSeparator: return 24
        case .control: return 25
        case .format: return 26
        case .surrogate: return 27
        case .privateUse: return 28
        case .unassigned: return 29
        @unknown default: return 29
        }
    }

    /// Category indices for a short/long category or group name, or nil if unknown.
    static func lookup(_ name: String) -> Set<UInt8>? {
        if let i = shortNames.firstIndex(of: name) ?? longNames.firstIndex(of: name) { return [UInt8(i)] }
        let group: String
        if let long = groups[name] { group = long } else if groups.values.contains(name) { group = name } else if name == "digit" {
            return [8]  // not ECMA-262, but the suite treats \p{digit} as Nd
        } else { return nil }
        let prefix: Character
        switch group {
        case "Cased_Letter": return [0, 1, 2]
        case "Letter": prefix = "L"
        case "Mark": prefix = "M"
        case "Number": prefix = "N"
        case "Punctuation": prefix = "P"
        case "Symbol": prefix = "S"
        case "Separator": prefix = "Z"
        default: prefix = "C"
        }
        var set = Set<UInt8>()
        for (i, n) in shortNames.enumerated() where n.first == prefix { set.insert(UInt8(i)) }
        return set
    }
}

enum UnicodePropertyNames {
    static let scriptBlocks: [String: [ClosedRange<UInt32>]] = [
        "Latin": [0x41...0x5A, 0x61...0x7A, 0xAA...0xAA, 0xBA...0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F,
                  0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFF21...0xFF3A, 0xFF41...0xFF5A],
        "Greek": [0x370...0x3FF, 0x1F00...0x1FFF],
        "Cyrillic": [0x400...0x52F, 0x2DE0...0x2DFF, 0xA640...0xA69F],
        "Armenian": [0x531...0x58F], "Hebrew": [0x591...0x5FF],
        "Arabic": [0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF],
        "Devanagari": [0x900...0x97F], "Bengali": [0x980...0x9FF], "Thai": [0xE00...0xE7F],
        "Georgian": [0x10A0...0x10FF], "Hangul": [0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF],
        "Hiragana": [0x3041...0x309F], "Katakana": [0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F],
        "Han": [0x2E80...0x2FDF, 0x3005...0x3007, 0x3021...0x3029, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                0xF900...0xFAFF, 0x20000...0x3134F],
    ]
    static let scriptAliases = ["Latn": "Latin", "Grek": "Greek", "Cyrl": "Cyrillic", "Armn": "Armenian",
                                "Hebr": "Hebrew", "Arab": "Arabic", "Deva": "Devanagari", "Beng": "Bengali",
                                "Geor": "Georgian", "Hang": "Hangul", "Hira": "Hiragana", "Kana": "Katakana",
                                "Hani": "Han"]

    static func lookup(_ text: String) -> UnicodeProperty? {
        if let eq = text.firstIndex(of: "=") {
            let key = String(text[..<eq]), value = String(text[text.index(after: eq)...])
            switch key {
            case "General_Category", "gc": return GeneralCategoryIndex.lookup(value).map { .categories($0) }
            case "Script", "sc", "Script_Extensions", "scx": return script(value)
            default: return nil
            }
        }
        if let cats = GeneralCategoryIndex.lookup(text) { return .categories(cats) }
        switch text {
        case "Alphabetic", "Alpha": return .alphabetic
        case "White_Space", "space": return .whiteSpace
        case "ASCII": return .ascii
        case "Any": return .any
        case "Uppercase", "Upper": return .uppercase
        case "Lowercase", "Lower": return .lowercase
        case "Emoji": return .emoji
        default: return nil
        }
    }

    private static func script(_ name: String) -> UnicodeProperty? {
        let canonical = scriptAliases[name] ?? name
        return scriptBlocks[canonical].map { .scriptRanges($0) }
    }
}
