import Testing
@testable import PismoJSON

@Suite struct JSONValueTests {
    @Test func literalsBuildOrderedTrees() {
        let v: JSONValue = ["b": 1, "a": [true, nil, "s", 2.5], "c": ["x": "y"]]
        #expect(v.encodedString == #"{"b":1,"a":[true,null,"s",2.5],"c":{"x":"y"}}"#)
        #expect(v["a"]?[2] == "s")
        #expect(v["c"]?["x"] == .string("y"))
        #expect(v["zz"] == nil)
        #expect(v[0] == nil)
    }

    @Test(arguments: [
        #"{"a":[1,2.50,-0,1e400,123456789012345678901234567890],"b":{"c":null,"d":true,"e":false}}"#,
        #"["\u00e9\ud83d\ude00\n\"\\","",{}]"#,
        #"{"a":1,"a":2}"#,
        "0", "\"s\"", "null",
    ])
    func parseEncodeParseRoundTrips(_ text: String) throws {
        let first = try JSONValue(parsing: text)
        let encoded = first.encoded()
        let second = JSONValue(try JSONDocument(bytes: encoded).root)
        #expect(first == second)
        #expect(second.encoded() == encoded)
    }

    @Test func bigNumbersSurviveTheTreeExactly() throws {
        let text = #"[18446744073709551616,0.1000000000000000055511151231257827]"#
        #expect(try JSONValue(parsing: text).encodedString == text)
    }

    @Test func invalidInputThrowsFromTreeParsing() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1,]") }
    }
}

@Suite struct JSONDescriptionTests {
    @Test func descriptionsShowJSONText() throws {
        let doc = try JSONDocument(#"{"a": [1, "x"]}"#)
        #expect(doc.root["a"]?.description == #"[1, "x"]"#)
        let value: JSONValue = ["a": [1, "x"], "n": nil]
        #expect(value.description == #"{"a":[1,"x"],"n":null}"#)
        #expect(JSONValue(floatLiteral: .infinity) == .null)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.stringValue == "x")
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["a"]?[0]?.numberText == "1")
        #expect(value["n"]?.isNull == true)
        #expect(value.objectValue?.count == 2)
    }
}
