import Testing
@testable import PismoJSON

@Suite struct SchemaValidatorTests {
    private func validator(_ schema: String, assertFormat: Bool = false, registry: SchemaRegistry = SchemaRegistry()) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schemaText: schema, registry: registry, assertFormat: assertFormat)
    }

    private func check(_ v: JSONSchemaValidator, valid: [String], invalid: [String]) throws {
        for doc in valid { #expect(v.isValid(try JSONDocument(doc).root), "expected valid: \(doc)") }
        for doc in invalid { #expect(!v.isValid(try JSONDocument(doc).root), "expected invalid: \(doc)") }
    }

    /// Found by fuzz-schema (issue 15): a `$ref` cycle that never descends into the value used to
    /// recurse until the stack overflowed. It now fails validation with a message instead.
    @Test func aRefCycleFailsValidationInsteadOfOverflowingTheStack() throws {
        let v = try validator(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##)
        let document = try JSONDocument("{}")
        #expect(!v.isValid(document.root))
        #expect(v.firstError(document.root)?.message.contains("recursion") == true)
    }

    @Test func typesAndNumbersAreExact() throws {
        try check(try validator(#"{"type":"integer"}"#), valid: ["1", "1.0", "1e2", "-0"], invalid: ["1.5", "\"1\"", "null"])
        try check(try validator(#"{"multipleOf":0.01}"#), valid: ["19.99", "0.07", "5"], invalid: ["19.991", "0.075"])
        try check(try validator(#"{"maximum":18446744073709551615}"#), valid: ["18446744073709551615"], invalid: ["18446744073709551616"])
        try check(try validator(#"{"exclusiveMinimum":0}"#), valid: ["0.0000001"], invalid: ["0", "-1e-400"])
    }

    @Test func stringsCountCodePointsAndPatternsSearch() throws {
        try check(try validator(#"{"maxLength":2}"#), valid: ["\"🐲🐲\"", "\"é\""], invalid: ["\"abc\""])
        try check(try validator(#"{"pattern":"b+"}"#), valid: ["\"abbbc\"", "3"], invalid: ["\"ac\""])
    }

    @Test func equalityIsJSONEquality() throws {
        try check(try validator(#"{"const":{"a":[1,2.0]}}"#), valid: [#"{"a":[1.0,2]}"#], invalid: [#"{"a":[1,2],"b":1}"#, #"{"a":[2,1]}"#])
        try check(try validator(#"{"uniqueItems":true}"#), valid: ["[1,\"1\",[1]]"], invalid: ["[1,1.0]", #"[{"a":1},{"a":1}]"#])
        try check(try validator(#"{"enum":[false,null]}"#), valid: ["false", "null"], invalid: ["0", "\"\""])
    }

    @Test func applicatorsAndUnevaluated() throws {
        let schema = #"""
        {"type":"object","properties":{"a":{"type":"string"}},"allOf":[{"properties":{"b":true}}],
         "if":{"required":["c"]},"then":{"properties":{"c":{"const":1}}},"unevaluatedProperties":false}
        """#
        try check(try validator(schema), valid: [#"{"a":"x","b":0}"#, #"{"c":1}"#], invalid: [#"{"d":1}"#, #"{"c":2}"#, #"{"a":1}"#])
        let items = #"{"prefixItems":[{"type":"integer"}],"contains":{"type":"string"},"unevaluatedItems":false}"#
        try check(try validator(items), valid: [#"[1,"a","b"]"#], invalid: [#"[1,"a",2]"#, "[1]"])
        try check(try validator(#"{"oneOf":[{"minimum":2},{"maximum":4}]}"#), valid: ["1", "5"], invalid: ["3"])
    }

    @Test func recursiveAndDynamicReferences() throws {
        let tree = #"""
        {"$id":"https://example.test/tree","$dynamicAnchor":"node","type":"object",
         "properties":{"children":{"type":"array","items":{"$dynamicRef":"#node"}}}}
        """#
        var registry = SchemaRegistry()
        try registry.add(text: tree, retrievedFrom: "https://example.test/tree")
        let strict = #"""
        {"$id":"https://example.test/strict","$dynamicAnchor":"node","$ref":"tree","unevaluatedProperties":false}
        """#
        let v = try validator(strict, registry: registry)
        try check(v, valid: [#"{"children":[{"children":[]}]}"#], invalid: [#"{"children":[{"x":1}]}"#])
    }

    @Test func formatIsAnnotationUnlessAsserted() throws {
        try check(try validator(#"{"format":"date-time"}"#), valid: ["\"nope\""], invalid: [])
        try check(try validator(#"{"format":"date-time"}"#, assertFormat: true),
                  valid: ["\"2024-02-29T10:00:00Z\""], invalid: ["\"2023-02-29T10:00:00Z\""])
    }

    @Test func unknownReferencesAreSchemaErrors() {
        #expect(throws: SchemaError.self) { try validator(#"{"$ref":"https://nowhere.test/x.json"}"#) }
        #expect(throws: SchemaError.self) { try validator(#"{"pattern":"(?i)x"}"#) }
        #expect(throws: SchemaError.self) { try validator(#"{"minLength":-1}"#) }
    }

    @Test func metaschemaIsAvailableOffline() throws {
        let v = try validator(#"{"$ref":"https://json-schema.org/draft/2020-12/schema"}"#)
        try check(v, valid: [#"{"type":"string"}"#, "true"], invalid: [#"{"type":12}"#, #"{"minLength":-1}"#])
    }

    @Test func errorsCarryLocations() throws {
        let v = try validator(#"{"type":"object","properties":{"data":{"type":"object"}},"required":["id"]}"#)
        let error = v.firstError(try JSONDocument(#"{"id":1,"data":"x"}"#).root)
        #expect(error?.description == "/data: expected object, got string")
        #expect(error?.keywordLocation == "/properties/data/type")
        let all = v.allErrors(try JSONDocument(#"{"data":"x"}"#).root)
        #expect(all.count == 2)
        #expect(v.firstError(try JSONDocument(#"{"id":1}"#).root) == nil)
        let closed = try validator(#"{"properties":{"a":true},"additionalProperties":false}"#)
        let extra = closed.firstError(try JSONDocument(#"{"a":1,"b~/":2}"#).root)
        #expect(extra?.description == "/b~0~1: property is not allowed")
        #expect(extra?.keywordLocation == "/additionalProperties")
    }
}

@Suite struct SchemaVocabularyAndLocationTests {
    @Test func customMetaschemaWithoutValidationVocabularyIgnoresAssertions() throws {
        var registry = SchemaRegistry()
        try registry.add(text: #"""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.test/meta-applicator-only",
         "$vocabulary":{"https://json-schema.org/draft/2020-12/vocab/core":true,
                        "https://json-schema.org/draft/2020-12/vocab/applicator":true}}
        """#, retrievedFrom: "https://example.test/meta-applicator-only")
        let v = try JSONSchemaValidator(schemaText: #"""
        {"$schema":"https://example.test/meta-applicator-only","properties":{"n":{"minimum":10},"no":false}}
        """#, registry: registry)
        #expect(v.isValid(try JSONDocument(#"{"n":1}"#).root))
        #expect(!v.isValid(try JSONDocument(#"{"no":1}"#).root))
    }

    @Test func unknownRequiredVocabularyIsASchemaError() throws {
        var registry = SchemaRegistry()
        try registry.add(text: #"{"$id":"https://example.test/m","$vocabulary":{"https://example.test/vocab/x":true}}"#,
                         retrievedFrom: "https://example.test/m")
        #expect(throws: SchemaError.self) {
            try JSONSchemaValidator(schemaText: #"{"$schema":"https://example.test/m"}"#, registry: registry)
        }
    }

    @Test func keywordLocationsFollowReferences() throws {
        let v = try JSONSchemaValidator(schemaText: #"""
        {"$defs":{"pos":{"type":"integer","minimum":1}},"type":"array","prefixItems":[{"$ref":"#/$defs/pos"}],
         "items":{"type":"string"}}
        """#)
        let first = v.firstError(try JSONDocument("[0]").root)
        #expect(first?.instanceLocation == "/0")
        #expect(first?.keywordLocation == "/prefixItems/0/$ref/minimum")
        let rest = v.firstError(try JSONDocument("[1, 2]").root)
        #expect(rest?.keywordLocation == "/items/type")
        #expect(rest?.description == "/1: expected string, got integer")
    }

    @Test func allErrorsCollectsEveryFailure() throws {
        let v = try JSONSchemaValidator(schemaText: #"""
        {"properties":{"a":{"type":"string"},"b":{"maximum":3}},"required":["c"],"additionalProperties":false}
        """#)
        let errors = v.allErrors(try JSONDocument(#"{"a":1,"b":4,"d":true}"#).root)
        #expect(Set(errors.map(\.instanceLocation)) == ["", "/a", "/b", "/d"])
        #expect(errors.count == 4)
    }

    @Test func unevaluatedItemsSeesContainsAndNestedApplicators() throws {
        let v = try JSONSchemaValidator(schemaText: #"""
        {"allOf":[{"prefixItems":[true]}],"anyOf":[{"contains":{"const":"x"}}],"unevaluatedItems":{"type":"number"}}
        """#)
        #expect(v.isValid(try JSONDocument(#"["any", "x", 3]"#).root))
        #expect(!v.isValid(try JSONDocument(#"["any", "y"]"#).root))
    }
}
