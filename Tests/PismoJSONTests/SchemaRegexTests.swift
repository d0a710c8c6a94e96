import Testing
@testable import PismoJSON

@Suite struct SchemaRegexTests {
    private func check(_ pattern: String, _ yes: [String], _ no: [String]) throws {
        let re = try ECMARegex(pattern)
        for s in yes { #expect(re.matches(s), "\(pattern) should match \(s.debugDescription)") }
        for s in no { #expect(!re.matches(s), "\(pattern) should not match \(s.debugDescription)") }
    }

    @Test func anchoredClassFastPath() throws {
        try check("^[A-Za-z0-9._:-]{1,128}$", ["a", "tenant-1:x.y_z", String(repeating: "a", count: 128)],
                  ["", "a b", String(repeating: "a", count: 129), "é", "abc\n"])
        try check("^\\d+-[a-z]*", ["12-", "1-abc!"], ["-1", "a1-"])
    }

    @Test func dollarDoesNotMatchBeforeTrailingNewline() throws {
        try check("^abc$", ["abc"], ["abc\n"])
        try check("c$", ["abc"], ["abc\n"])
    }

    @Test func classEscapesAreASCIIForDigitAndWord() throws {
        try check("^\\d$", ["0"], ["\u{07C0}"])
        try check("^\\w$", ["a", "_"], ["é"])
        try check("^\\s$", [" ", "\u{A0}", "\u{FEFF}", "\u{2003}", "\n"], ["\u{01}", "\u{2013}"])
        try check("^\\S$", ["\u{01}"], [" "])
    }

    @Test func unicodeProperties() throws {
        try check("\\p{Letter}cole", ["école"], ["ÉCOLE"])
        try check("^\\p{digit}+$", ["42", "\u{09EA}\u{09E8}"], ["-%#"])
        try check("^\\P{Lu}+$", ["abc"], ["aBc"])
        try check("^\\p{Script=Greek}+$", ["αβγ"], ["abc"])
    }

    @Test func codePointSemantics() throws {
        try check("^🐲*$", ["", "🐲", "🐲🐲"], ["🐉", "D"])
        try check("^.$", ["🐲", "é"], ["ab", "\n"])
        try check("^\\u{1F432}$", ["🐲"], [])
        try check("^\\uD83D\\uDC32$", ["🐲"], [])
    }

    @Test func quantifiersGroupsAndAlternation() throws {
        try check("^(ab|cd)+?e{2,3}$", ["abee", "cdabeee"], ["abe", "abeeee", "ee"])
        try check("^a{2}$", ["aa"], ["a", "aaa"])
        try check("^(a*)*b$", ["aaab", "b"], ["aaa"])
        try check("^a*a$", ["a", "aaa"], [""])
        try check("x(?:y|z)?$", ["x", "xy", "axz"], ["xa"])
    }

    @Test func backreferencesAndLookaround() throws {
        try check("^(a+)b\\1$", ["aabaa", "aba"], ["aabа", "aaba"])
        try check("^(?<q>['\"]).*\\k<q>$", ["'x'", "\"y\""], ["'z\""])
        try check("^foo(?=bar)", ["foobar"], ["foobaz"])
        try check("^foo(?!bar)", ["foobaz"], ["foobar"])
        try check("(?<=a+)b", ["aab"], ["b", "cb"])
        try check("(?<!x)y", ["ay", "y"], ["xy"])
        try check("\\bfoo\\b", ["a foo b", "foo"], ["afoo", "foob"])
        // ECMA-262 clears a quantified group's captures each iteration: after the "b"
        // iteration group 1 is unset, so \1 matches empty ("ab") and cannot match "a" ("aba").
        try check("^(?:(a)|b)+\\1$", ["ab", "aa"], ["aba"])
        // Captures made inside a positive lookahead are visible afterwards.
        try check("^(?=(\\w))\\w\\1", ["aa"], ["ab", "a"])
    }

    @Test func controlAndHexEscapes() throws {
        try check("^\\cC$", ["\u{03}"], ["\\cC"])
        try check("^\\t$", ["\t"], ["\\t"])
        try check("^\\x41[\\b]$", ["A\u{08}"], [])
        try check("^[]$", [], ["", "a"])
        try check("^[^]$", ["a", "\n"], [""])
    }

    @Test func rejectsNonECMASyntax() {
        for bad in ["\\a", "(?P<name>x)", "(?i)abc", "^(abc]", "a{2,1}", "*a", "a**", "(?<n>a)\\k<m>", "\\2(a)",
                    "[z-a]", "{", "a)", "(?=a)*", "\\p{NoSuchThing}", "[\\d-z]", "\\01"] {
            #expect(throws: RegexSyntaxError.self, "\(bad) should be rejected") { try ECMARegex(bad) }
        }
        for good in ["(?<name>x)", "(?<n>a)\\k<n>", "(?<=a+)b", "[]", "[^]", "\\cA", "([abc])+\\s+$", "\\/"] {
            #expect(throws: Never.self) { try ECMARegex(good) }
        }
    }
}
