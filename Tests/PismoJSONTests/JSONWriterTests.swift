import Testing
@testable import PismoJSON

@Suite struct JSONWriterTests {
    func text(_ w: JSONWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }

    @Test func commasAreInsertedAutomatically() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a"); w.int(1)
        w.key("b"); w.beginArray(); w.bool(true); w.bool(false); w.null(); w.beginObject(); w.endObject(); w.beginArray(); w.endArray(); w.endArray()
        w.key("c"); w.string("x")
        w.key("d"); w.number(text: "1.50")
        w.key("e"); w.double(0.1)
        w.endObject()
        #expect(text(w) == #"{"a":1,"b":[true,false,null,{},[]],"c":"x","d":1.50,"e":0.1}"#)
    }

    @Test func integersIncludingExtremes() {
        var w = JSONWriter()
        w.beginArray()
        for v in [0, 7, -7, 10, 1234567890, Int.max, Int.min] { w.int(v) }
        w.endArray()
        #expect(text(w) == "[0,7,-7,10,1234567890,9223372036854775807,-9223372036854775808]")
    }

    @Test func doublesRoundTripAndNonFiniteBecomesNull() throws {
        var w = JSONWriter()
        w.beginArray()
        for v in [1.0, -0.5, 1e-7, 1e300, 0.1 + 0.2, .nan, .infinity] { w.double(v) }
        w.endArray()
        let doc = try JSONDocument(bytes: w.bytes)
        let values = doc.root.elements.map { $0.double }
        #expect(values[0] == 1.0)
        #expect(values[2] == 1e-7)
        #expect(values[3] == 1e300)
        #expect(values[4] == 0.1 + 0.2)
        #expect(doc.root[5]?.isNull == true)
        #expect(doc.root[6]?.isNull == true)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() throws {
        var w = JSONWriter()
        let nasty = "q\"b\\s/\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F}é😀\u{2028}"
        w.string(nasty)
        #expect(text(w) == #""q\"b\\s/\u0000\u0001\b\t\n\f\r\u001f"# + "\u{7F}é😀\u{2028}\"")
        #expect(try JSONDocument(bytes: w.bytes).root.string == nasty)
    }

    @Test func optionallyEscapesLineSeparators() throws {
        var w = JSONWriter(escapeLineSeparators: true)
        w.string("a\u{2028}b\u{2029}c€")
        #expect(text(w) == #""a\u2028b\u2029c€""#)
        #expect(try JSONDocument(bytes: w.bytes).root.string == "a\u{2028}b\u{2029}c€")
    }

    @Test func keysAreEscapedToo() throws {
        var w = JSONWriter()
        w.beginObject(); w.key("k\"\n"); w.null(); w.endObject()
        #expect(text(w) == #"{"k\"\n":null}"#)
        #expect(try JSONDocument(bytes: w.bytes).root["k\"\n"]?.isNull == true)
    }

    @Test func rawSplicesPreEncodedJSONUntouched() throws {
        let source = try JSONDocument(#"{"data":{ "x" : [1, 2.50 ,"\u00e9"] },"id":7}"#)
        var w = JSONWriter()
        w.beginObject()
        w.key("wrapped"); w.value(source.root["data"]!)
        w.key("raw"); w.raw(Array("[true]".utf8))
        w.key("id"); w.raw(source.root["id"]!.rawBytes)
        w.endObject()
        #expect(text(w) == #"{"wrapped":{ "x" : [1, 2.50 ,"\u00e9"] },"raw":[true],"id":7}"#)
        _ = try JSONDocument(bytes: w.bytes)
    }
}

@Suite struct JSONWriterEncodeNodeTests {
    @Test func encodeRewritesCanonicallyAndPreservesValue() throws {
        let source = #" { "a" : [ 1 , 2.50 , { } , [ ] , "\u00e9\/" ] , "b" : { "c" : null , "d" : [ true , false ] } , "e" : "" } "#
        let doc = try JSONDocument(source)
        var w = JSONWriter()
        w.encode(doc.root)
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":[1,2.50,{},[],"é/"],"b":{"c":null,"d":[true,false]},"e":""}"#)
        var inner = JSONWriter()
        inner.beginArray()
        inner.encode(doc.root["b"]!)
        inner.encode(doc.root["a"]![1]!)
        inner.endArray()
        #expect(String(decoding: inner.bytes, as: UTF8.self) == #"[{"c":null,"d":[true,false]},2.50]"#)
    }

    @Test func encodeHandlesDeepNestingIteratively() throws {
        let depth = 5_000
        let text = String(repeating: "{\"k\":[", count: depth) + String(repeating: "]}", count: depth)
        let doc = try JSONDocument(text, options: .init(maxDepth: 2 * depth))
        var w = JSONWriter()
        w.encode(doc.root)
        #expect(w.bytes == Array(text.utf8))
    }
}

@Suite struct JSONWriterFastPathTests {
    @Test func escapingIsExactAtEveryOffsetOfTheEightByteScan() throws {
        for pad in 0..<20 {
            let x = String(repeating: "x", count: pad)
            let value = "\(x)\"\(x)\\\(x)\u{1}\(x)é\u{2028}\(x)"
            for escapeSeparators in [false, true] {
                var w = JSONWriter(escapeLineSeparators: escapeSeparators)
                w.string(value)
                let separator = escapeSeparators ? "\\u2028" : "\u{2028}"
                #expect(String(decoding: w.bytes, as: UTF8.self) == "\"\(x)\\\"\(x)\\\\\(x)\\u0001\(x)é\(separator)\(x)\"")
                #expect(try JSONDocument(bytes: w.bytes).root.string == value)
                var re = JSONWriter(escapeLineSeparators: escapeSeparators)
                re.encode(try JSONDocument(bytes: w.bytes).root)
                #expect(re.bytes == w.bytes)
            }
        }
    }
}
