import Testing
@testable import PismoJSON

@Suite struct JSONEqualityTests {
    func node(_ text: String) throws -> JSONNode { try JSONDocument(text).root }

    @Test(arguments: [
        ("1", "1.0"), ("1", "10e-1"), ("100", "1e2"), ("0", "-0"), ("0", "0.000e5"), ("-1.50", "-15E-1"),
        ("123456789012345678901234567890", "1.2345678901234567890123456789e29"),
        (#"{"a":1,"b":[1,2]}"#, #"{"b":[1.0,2],"a":1}"#), (#""\u00e9""#, #""é""#), ("[]", "[]"), ("{}", "{}"),
        ("null", "null"), ("true", "true"),
    ])
    func equalValues(_ pair: (String, String)) throws {
        #expect(try node(pair.0).jsonEquals(node(pair.1)))
        #expect(try node(pair.1).jsonEquals(node(pair.0)))
    }

    @Test(arguments: [
        ("1", "2"), ("1", "-1"), ("1", "\"1\""), ("0.1", "0.10000000000000001"), ("1e400", "1e401"),
        ("9007199254740993", "9007199254740992"), ("[1,2]", "[2,1]"), (#"{"a":1}"#, #"{"a":1,"b":2}"#),
        (#"{"a":1}"#, #"{"b":1}"#), ("true", "false"), ("null", "false"), ("[]", "{}"), (#""a""#, #""b""#),
    ])
    func differentValues(_ pair: (String, String)) throws {
        #expect(try !node(pair.0).jsonEquals(node(pair.1)))
        #expect(try !node(pair.1).jsonEquals(node(pair.0)))
    }

    @Test func integerValueIsDecidedExactly() throws {
        for text in ["0", "-0", "3", "3.0", "3.000", "3e2", "1.5e1", "-2.50e1", "1e400", "0.0e-7", "12345678901234567890"] {
            #expect(try node(text).isIntegerValue, "\(text)")
        }
        for text in ["0.5", "3.01", "1e-1", "1.55e1", "123456789012345678901.5", "\"3\"", "true"] {
            #expect(try !node(text).isIntegerValue, "\(text)")
        }
    }
}

@Suite struct JSONEqualityDuplicateKeyTests {
    @Test func duplicateKeysCompareInOrder() throws {
        let a = try JSONDocument(#"{"k":"a","k":"b"}"#).root
        let b = try JSONDocument(#"{"k":"a","k":"b"}"#).root
        let c = try JSONDocument(#"{"k":"b","k":"a"}"#).root
        #expect(a.jsonEquals(b))
        #expect(!a.jsonEquals(c))
    }
}
