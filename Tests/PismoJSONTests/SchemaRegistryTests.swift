import Testing
@testable import PismoJSON

@Suite struct SchemaRegistryTests {
    @Test func resolvesReferencesPerRFC3986() {
        let base = URIReference("http://a/b/c/d;p?q")
        #expect(base.resolving("g").string == "http://a/b/c/g")
        #expect(base.resolving("../g").string == "http://a/b/g")
        #expect(base.resolving("/./g").string == "http://a/g")
        #expect(base.resolving("#s").string == "http://a/b/c/d;p?q#s")
        #expect(base.resolving("//x/y").string == "http://x/y")
        #expect(URIReference("urn:uuid:1234").resolving("#/$defs/a").string == "urn:uuid:1234#/$defs/a")
    }

    @Test func pointersUnescapeAndPercentDecode() {
        #expect(JSONPointer.tokens("/a~1b/c~0d/%25", percentDecoded: true) == ["a/b", "c~d", "%"])
        #expect(JSONPointer.tokens("", percentDecoded: false) == [])
        #expect(JSONPointer.tokens("x", percentDecoded: false) == nil)
        #expect(JSONPointer.escape("a/b~") == "a~1b~0")
    }

    @Test func indexesIdsAnchorsAndNestedResources() throws {
        var registry = SchemaRegistry()
        let root = try registry.add(text: #"""
        {"$id":"http://example.test/root.json","$defs":{
           "a":{"$anchor":"here","type":"integer"},
           "b":{"$id":"nested/b.json","$dynamicAnchor":"dyn"}}}
        """#, retrievedFrom: "file:///tmp/root.json")
        #expect(root == "http://example.test/root.json")
        #expect(registry.locate(URIReference("http://example.test/root.json#here"))?.pointer == ["$defs", "a"])
        #expect(registry.locate(URIReference("http://example.test/nested/b.json"))?.pointer == ["$defs", "b"])
        #expect(registry.locate(URIReference("http://example.test/root.json#/$defs/a/type")) != nil)
        #expect(registry.locate(URIReference("http://example.test/root.json#/$defs/zzz")) == nil)
        #expect(registry.dynamicAnchor("dyn", inResource: "http://example.test/nested/b.json")?.pointer == ["$defs", "b"])
        #expect(registry.locate(URIReference("file:///tmp/root.json")) != nil)
    }
}
