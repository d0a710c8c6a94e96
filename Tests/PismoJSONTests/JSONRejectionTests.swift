import Testing
@testable import PismoJSON

/// Every rejection class of RFC 8259 + strict UTF-8 that the reader must enforce.
/// Each case: input bytes, expected error offset, a fragment of the expected reason.
@Suite struct JSONRejectionTests {
    struct Case: CustomStringConvertible, Sendable {
        let bytes: [UInt8]
        let offset: Int
        let reason: String
        var description: String { "\(bytes) -> \(offset) \(reason)" }

        init(_ text: String, _ offset: Int, _ reason: String) {
            self.bytes = Array(text.utf8)
            self.offset = offset
            self.reason = reason
        }

        init(bytes: [UInt8], _ offset: Int, _ reason: String) {
            self.bytes = bytes
            self.offset = offset
            self.reason = reason
        }
    }

    static let syntax: [Case] = [
        Case("", 0, "expected a value"),
        Case("   ", 3, "expected a value"),
        Case("[1,2,]", 4, "trailing comma in array"),
        Case("{\"a\":1,}", 6, "trailing comma in object"),
        Case("{\"a\":1 , }", 7, "trailing comma in object"),
        Case("[,1]", 1, "expected a value"),
        Case("[1 2]", 3, "expected ',' or ']'"),
        Case("{\"a\" 1}", 5, "expected ':'"),
        Case("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'"),
        Case("{a:1}", 1, "expected a string key"),
        Case("{1:1}", 1, "expected a string key"),
        Case("[1", 2, "unterminated array"),
        Case("{\"a\":1", 6, "unterminated object"),
        Case("{\"a\":", 5, "expected a value"),
        Case("[1]]", 3, "only whitespace may follow"),
        Case("1 2", 2, "only whitespace may follow"),
        Case("{} x", 3, "only whitespace may follow"),
        Case("[1]\u{0C}", 3, "only whitespace may follow"),
        Case("tru", 3, "invalid literal"),
        Case("nul", 3, "invalid literal"),
        Case("True", 0, "expected a value"),
        Case("truex", 4, "only whitespace may follow"),
        Case("[nan]", 2, "invalid literal"),
        Case("[inf]", 1, "expected a value"),
        Case("'a'", 0, "expected a value"),
    ]

    static let numbers: [Case] = [
        Case("01", 1, "leading zero"),
        Case("-01", 2, "leading zero"),
        Case("[00]", 2, "leading zero"),
        Case("-", 1, "expected a digit"),
        Case("-a", 1, "expected a digit"),
        Case("+1", 0, "expected a value"),
        Case("1.", 2, "expected a digit after '.'"),
        Case(".5", 0, "expected a value"),
        Case("1.e5", 2, "expected a digit after '.'"),
        Case("1e", 2, "expected a digit in exponent"),
        Case("1e+", 3, "expected a digit in exponent"),
        Case("0x10", 1, "only whitespace may follow"),
        Case("1_000", 1, "only whitespace may follow"),
    ]

    static let strings: [Case] = [
        Case("\"abc", 0, "unterminated string"),
        Case("[\"abc]", 1, "unterminated string"),
        Case("\"a\tb\"", 2, "control character"),
        Case("\"a\nb\"", 2, "control character"),
        Case(bytes: [0x22, 0x00, 0x22], 1, "control character"),
        Case(bytes: [0x22, 0x1F, 0x22], 1, "control character"),
        Case("\"\\x\"", 2, "invalid escape"),
        Case("\"\\'\"", 2, "invalid escape"),
        Case("\"\\", 2, "unterminated escape"),
        Case("\"\\u12x4\"", 5, "invalid hex digit"),
        Case("\"\\u12\"", 3, "truncated \\u escape"),
        Case("\"\\u12", 3, "truncated \\u escape"),
        Case("\"\\uD800\"", 1, "lone high surrogate"),
        Case("\"\\uD800x\"", 1, "lone high surrogate"),
        Case("\"\\uDBFF\\n\"", 1, "lone high surrogate"),
        Case("\"\\uD800\\u0041\"", 7, "not followed by a low surrogate"),
        Case("\"\\uDC00\"", 1, "lone low surrogate"),
        Case("\"\\uDFFF\\uD800\"", 1, "lone low surrogate"),
    ]

    static let utf8: [Case] = [
        Case(bytes: [0x22, 0x80, 0x22], 1, "invalid UTF-8 lead byte"),            // lone continuation
        Case(bytes: [0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8 lead byte"),      // overlong '/'
        Case(bytes: [0x22, 0xC1, 0xBF, 0x22], 1, "invalid UTF-8 lead byte"),      // overlong
        Case(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], 2, "invalid UTF-8 sequence"), // overlong 3-byte
        Case(bytes: [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 2, "invalid UTF-8 sequence"), // overlong 4-byte
        Case(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 2, "invalid UTF-8 sequence"), // U+D800 encoded
        Case(bytes: [0x22, 0xED, 0xBF, 0xBF, 0x22], 2, "invalid UTF-8 sequence"), // U+DFFF encoded
        Case(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2, "invalid UTF-8 sequence"), // > U+10FFFF
        Case(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "invalid UTF-8 lead byte"),
        Case(bytes: [0x22, 0xFF, 0x22], 1, "invalid UTF-8 lead byte"),
        Case(bytes: [0x22, 0xC3, 0x22], 2, "invalid UTF-8 sequence"),             // truncated, quote follows
        Case(bytes: [0x22, 0xE2, 0x82, 0x22], 3, "invalid UTF-8 sequence"),
        Case(bytes: [0x22, 0xF0, 0x9F, 0x98], 1, "truncated UTF-8"),              // truncated at end
        Case(bytes: [0x22, 0xC3], 1, "truncated UTF-8"),
        Case(bytes: [0xEF, 0xBB, 0xBF, 0x31], 0, "expected a value"),             // BOM is not JSON
        Case(bytes: [0x5B, 0xC3, 0xA9, 0x5D], 1, "expected a value"),             // UTF-8 outside a string
    ]

    func expectRejected(_ c: Case) {
        do {
            _ = try JSONDocument(bytes: c.bytes)
            Issue.record("accepted invalid input \(c)")
        } catch {
            #expect(error.offset == c.offset, "\(c): \(error)")
            #expect(error.reason.contains(c.reason), "\(c): \(error)")
        }
    }

    @Test(arguments: syntax) func rejectsBadSyntax(_ c: Case) { expectRejected(c) }
    @Test(arguments: numbers) func rejectsBadNumbers(_ c: Case) { expectRejected(c) }
    @Test(arguments: strings) func rejectsBadStrings(_ c: Case) { expectRejected(c) }
    @Test(arguments: utf8) func rejectsInvalidUTF8(_ c: Case) { expectRejected(c) }

    @Test func errorDescriptionNamesByteOffsetAndReason() {
        #expect(throws: JSONParseError.self) { try JSONDocument("{\"event_type\":\"x\",\"n\":1,}") }
        do {
            _ = try JSONDocument("{\"abc\":1,\"d\":[1,2],}")
        } catch {
            #expect(error.description == "unexpected ',' at offset 18: trailing comma in object")
        }
        do {
            _ = try JSONDocument("[1")
        } catch {
            #expect(error.description == "unexpected end of input at offset 2: unterminated array")
        }
    }

    @Test func depthLimitIsEnforcedWithoutRecursion() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        let doc = try JSONDocument(ok)
        #expect(doc.root.count == 1)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError.self) { try JSONDocument(deep) }
        // Hostile input far beyond the limit fails fast at the limit, not at the end.
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        do {
            _ = try JSONDocument(bytes: hostile)
            Issue.record("accepted a million open brackets")
        } catch {
            #expect(error.offset == 512)
            #expect(error.reason.contains("nesting deeper than 512"))
        }
        let objects = String(repeating: "{\"a\":", count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONParseError.self) { try JSONDocument(objects, options: .init(maxDepth: 9)) }
        #expect(try JSONDocument(objects, options: .init(maxDepth: 10)).root["a"]?["a"] != nil)
    }
}
