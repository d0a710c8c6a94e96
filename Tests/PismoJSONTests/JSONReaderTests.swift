import Testing
@testable import PismoJSON

/// Accepted documents and what the node accessors report for them.
@Suite struct JSONReaderTests {
    @Test(arguments: [
        "0", "-0", "1", "-1", "1.5", "-1.5e10", "1E+2", "1e-2", "0.000", "123456789012345678901234567890",
        "true", "false", "null", "\"\"", "\"x\"", "[]", "{}", " \t\r\n[ ] \t\r\n", "[[[]]]",
        "{\"\":{}}", "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "\"\\u0000\"", "\"\\/\"",
        "\"\u{7F}\"", "\"\u{10FFFF}\"", "\"é€😀\"", "[1,\"a\",true,false,null,{},[]]",
        "{\"a\":1,\"a\":2}",
    ])
    func acceptsValidJSON(_ text: String) throws {
        _ = try JSONDocument(text)
    }

    @Test func scalarsAndKinds() throws {
        let doc = try JSONDocument(#"{"n":null,"t":true,"f":false,"i":42,"s":"hi","a":[1,2,3],"o":{"k":"v"}}"#)
        let root = doc.root
        #expect(root.kind == .object)
        #expect(root.count == 7)
        #expect(root["n"]?.isNull == true)
        #expect(root["t"]?.bool == true)
        #expect(root["f"]?.bool == false)
        #expect(root["i"]?.int == 42)
        #expect(root["i"]?.kind == .number)
        #expect(root["s"]?.string == "hi")
        #expect(root["s"]?.bool == nil)
        #expect(root["s"]?.int == nil)
        #expect(root["a"]?.count == 3)
        #expect(root["a"]?[2]?.int == 3)
        #expect(root["a"]?[3] == nil)
        #expect(root["a"]?[-1] == nil)
        #expect(root["o"]?["k"]?.string == "v")
        #expect(root["missing"] == nil)
        #expect(root[key: "o"]?[key: "k"]?.string == "v")
        #expect(root["a"]?["k"] == nil)
        #expect(root[0] == nil)
        #expect(root["i"]?.count == 0)
    }

    @Test func firstDuplicateKeyWins() throws {
        let doc = try JSONDocument(#"{"a":1,"a":2}"#)
        #expect(doc.root["a"]?.int == 1)
        #expect(doc.root.count == 2)
    }

    @Test func elementsAndMembersIterateInOrderSkippingSubtrees() throws {
        let doc = try JSONDocument(#"[{"x":[1,[2,3]],"y":{}},[],"s",4]"#)
        let kinds = doc.root.elements.map(\.kind)
        #expect(kinds == [.object, .array, .string, .number])
        let first = try #require(doc.root[0])
        #expect(first.members.map(\.key) == ["x", "y"])
        #expect(first.memberNodes.map { $0.value.count } == [2, 0])
        #expect(doc.root[3]?.int == 4)
        #expect(Array(doc.root["x"].map { $0.elements } ?? JSONDocument.emptyElements).isEmpty)
        #expect(Array(first.elements).isEmpty)  // an object has no elements
        #expect(Array(doc.root.memberNodes).isEmpty)  // an array has no members
    }

    @Test func stringsUnescapeLazilyIncludingSurrogatePairs() throws {
        let doc = try JSONDocument(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC\ud83d\uDE00", "\u0000", "plain é"]"#)
        #expect(doc.root[0]?.string == "a\"b\\c/d\u{08}\u{0C}\n\r\t")
        #expect(doc.root[1]?.string == "é€😀")
        #expect(doc.root[2]?.string == "\u{0}")
        #expect(doc.root[3]?.string == "plain é")
        #expect(doc.root[1]?.stringHasEscapes == true)
        #expect(doc.root[3]?.stringHasEscapes == false)
        #expect(doc.root[1]?.stringEquals("é€😀") == true)
        #expect(doc.root[1]?.stringEquals("é€😁") == false)
        #expect(doc.root[3]?.stringEquals("plain é") == true)
        #expect(doc.root[3]?.stringEquals("plain e") == false)
        #expect(doc.root[1]?.stringScalarCount == 3)
        #expect(doc.root[0]?.withStringBytes { $0.count } == 12)
    }

    @Test func escapedKeysAreFoundBySubscript() throws {
        let doc = try JSONDocument(#"{"a\u0062":1,"\u00e9":2,"long_key_name_here":3}"#)
        #expect(doc.root["ab"]?.int == 1)
        #expect(doc.root["é"]?.int == 2)
        #expect(doc.root["long_key_name_here"]?.int == 3)
        #expect(doc.root["long_key_name_herE"] == nil)
    }

    @Test func longStringsCrossTheEightByteFastPathCorrectly() throws {
        // Place a quote, backslash, control char and non-ASCII byte at every offset 0..<17.
        for pad in 0..<17 {
            let prefix = String(repeating: "x", count: pad)
            let doc = try JSONDocument("[\"\(prefix)\\n\(prefix)é\(prefix)\"]")
            #expect(doc.root[0]?.string == "\(prefix)\n\(prefix)é\(prefix)")
            let bad = Array("[\"\(prefix)".utf8) + [0x01] + Array("\"]".utf8)
            #expect(throws: JSONParseError.self) { try JSONDocument(bytes: bad) }
            #expect(try JSONDocument("\"\(prefix)\"").root.string == prefix)
        }
    }

    @Test func numbersKeepExactSourceText() throws {
        let doc = try JSONDocument(
            #"[9223372036854775807,-9223372036854775808,9223372036854775808,18446744073709551615,18446744073709551616,3.141592653589793238462643383279,1e400,-0,1.0,2.5e-3]"#)
        let n = Array(doc.root.elements)
        #expect(n[0].int64 == Int64.max)
        #expect(n[1].int64 == Int64.min)
        #expect(n[2].int64 == nil)
        #expect(n[2].uint64 == 9_223_372_036_854_775_808)
        #expect(n[3].uint64 == UInt64.max)
        #expect(n[4].uint64 == nil)
        #expect(n[4].numberText == "18446744073709551616")
        #expect(n[5].numberText == "3.141592653589793238462643383279")
        #expect(n[5].double == 3.141592653589793)
        #expect(n[6].double == .infinity)
        #expect(n[7].int == 0)
        #expect(n[7].uint64 == 0)
        #expect(n[8].int == nil)
        #expect(n[8].double == 1.0)
        #expect(n[8].isIntegerSyntax == false)
        #expect(n[9].double == 0.0025)
        #expect(n[1].uint64 == nil)
    }

    @Test func rawRangeSplicesByteIdentically() throws {
        let text = #"{"a" : [ 1 , "x\n" ], "b":{"c":1.50}, "s":"\u00e9"}"#
        let doc = try JSONDocument(text)
        let bytes = Array(text.utf8)
        #expect(Array(bytes[doc.root["a"]!.rawRange]) == Array(#"[ 1 , "x\n" ]"#.utf8))
        #expect(Array(doc.root["b"]!.rawBytes) == Array(#"{"c":1.50}"#.utf8))
        #expect(Array(doc.root["s"]!.rawBytes) == Array(#""\u00e9""#.utf8))
        #expect(doc.root.rawRange == 0..<bytes.count)
        #expect(doc.bytes == bytes)
    }

    @Test func nodesOutliveTheirDocumentVariable() throws {
        var node: JSONNode?
        do {
            let doc = try JSONDocument(#"{"k":"value"}"#)
            node = doc.root["k"]
        }
        #expect(node?.string == "value")
    }

    @Test func largeDocumentGrowsTheTape() throws {
        let text = "[" + (0..<10_000).map { "{\"i\":\($0)}" }.joined(separator: ",") + "]"
        let doc = try JSONDocument(text)
        #expect(doc.root.count == 10_000)
        #expect(doc.root[9_999]?["i"]?.int == 9_999)
        #expect(doc.nodeCount == 1 + 10_000 * 3)
    }
}

extension JSONDocument {
    static let emptyElements = try! JSONDocument("[]").root.elements
}

@Suite struct JSONDocumentInputTests {
    @Test func parsesSlicesAndEmptyInput() throws {
        let body = Array("HTTP-junk{\"a\":[true]}".utf8)
        let doc = try JSONDocument(bytes: body[9...])
        #expect(doc.root["a"]?[0]?.bool == true)
        #expect(doc.root.rawRange == 0..<12)
        #expect(throws: JSONParseError.self) { try JSONDocument(bytes: [UInt8]()) }
        #expect(throws: JSONParseError.self) { try JSONDocument("[[]]", options: JSONParseOptions(maxDepth: 0)) }
        var options = JSONParseOptions()
        options.maxDepth = -5  // public field: must not crash
        #expect(throws: JSONParseError.self) { try JSONDocument("{}", options: options) }
        #expect(try JSONDocument("7", options: options).root.int == 7)
    }
}
