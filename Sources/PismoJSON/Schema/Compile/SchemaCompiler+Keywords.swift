/// Where a schema object is being compiled, and under which vocabularies.
struct KeywordContext {
    let location: SchemaRegistry.Location
    let base: URIReference
    let schema: JSONValue
    let vocabularies: Vocabularies
}

extension SchemaCompiler {
    /// Keywords in evaluation order: references, cheap type/value assertions, applicators that
    /// descend into children, and `unevaluated*` last (they need everyone else's annotations).
    mutating func compileKeywords(_ c: inout KeywordContext) throws(SchemaError) -> [Keyword] {
        var out: [Keyword] = []
        if c.vocabularies.contains(.validation) { out += try validationKeywords(c) }
        if let format = c.schema.member("format")?.stringValue, assertFormat || c.vocabularies.contains(.formatAssertion),
           let known = SchemaFormat(rawValue: format) {
            out.append(.format(known))
        }
        out += try referenceKeywords(c)
        if c.vocabularies.contains(.applicator) { out += try applicatorKeywords(c) }
        if c.vocabularies.contains(.unevaluated) {
            if c.schema.member("unevaluatedItems") != nil { out.append(.unevaluatedItems(try sub(c, "unevaluatedItems"))) }
            if c.schema.member("unevaluatedProperties") != nil {
                out.append(.unevaluatedProperties(try sub(c, "unevaluatedProperties")))
            }
        }
        return out
    }

    mutating func sub(_ c: KeywordContext, _ tokens: String...) throws(SchemaError) -> NodeID {
        let location = SchemaRegistry.Location(document: c.location.document, pointer: c.location.pointer + tokens)
        return try compileNode(at: location, vocabularies: c.vocabularies)
    }

    func fail(_ c: KeywordContext, _ keyword: String, _ reason: String) -> SchemaError {
        SchemaError(location: describe(c.location) + "/" + keyword, reason: reason)
    }

    private mutating func referenceKeywords(_ c: KeywordContext) throws(SchemaError) -> [Keyword] {
        var out: [Keyword] = []
        if let ref = c.schema.member("$ref") {
            guard let text = ref.stringValue else { throw fail(c, "$ref", "must be a string") }
            out.append(.ref(try resolveReference(text, c, keyword: "$ref")))
        }
        if let ref = c.schema.member("$dynamicRef") {
            guard let text = ref.stringValue else { throw fail(c, "$dynamicRef", "must be a string") }
            let target = c.base.resolving(text)
            let fallback = try resolveReference(text, c, keyword: "$dynamicRef")
            // Dynamic only when the statically resolved target itself declares the same anchor
            // (the 2020-12 "bookending" requirement); otherwise it behaves exactly like $ref.
            if let name = target.fragment, !name.isEmpty, !name.hasPrefix("/"),
               let location = try locate(target, from: text),
               registry.value(at: location)?.member("$dynamicAnchor")?.stringValue == name {
                out.append(.dynamicRef(anchor: name, fallback: fallback))
            } else {
                out.append(.ref(fallback))
            }
        }
        return out
    }

    private mutating func resolveReference(_ text: String, _ c: KeywordContext, keyword: String) throws(SchemaError) -> NodeID {
        let target = c.base.resolving(text)
        guard let location = try locate(target, from: text) else {
            throw fail(c, keyword, "unresolvable reference \"\(text)\" (resolved to \(target.string))")
        }
        return try compileNode(at: location, vocabularies: .standard)
    }

    private mutating func applicatorKeywords(_ c: KeywordContext) throws(SchemaError) -> [Keyword] {
        var out: [Keyword] = []
        let s = c.schema
        if let props = try propertyApplicators(c) { out.append(.properties(props)) }
        if s.member("propertyNames") != nil { out.append(.propertyNames(try sub(c, "propertyNames"))) }
        if let deps = s.member("dependentSchemas")?.objectMembers {
            var list: [(key: [UInt8], node: NodeID)] = []
            for d in deps { list.append((Array(d.key.utf8), try sub(c, "dependentSchemas", d.key))) }
            out.append(.dependentSchemas(list))
        }
        if let deps = s.member("dependencies")?.objectMembers {
            // Pre-2019 `dependencies` (optional compatibility): arrays are dependentRequired,
            // schemas are dependentSchemas.
            var schemas: [(key: [UInt8], node: NodeID)] = []
            var required: [(key: [UInt8], required: [[UInt8]])] = []
            for d in deps {
                if let names = d.value.arrayValue {
                    required.append((Array(d.key.utf8), names.compactMap { $0.stringValue.map { Array($0.utf8) } }))
                } else {
                    schemas.append((Array(d.key.utf8), try sub(c, "dependencies", d.key)))
                }
            }
            if !required.isEmpty { out.append(.dependentRequired(required)) }
            if !schemas.isEmpty { out.append(.dependentSchemas(schemas)) }
        }
        let prefix = try schemaArray(c, "prefixItems") ?? []
        let rest: NodeID? = s.member("items") != nil ? try sub(c, "items") : nil
        if !prefix.isEmpty || rest != nil { out.append(.items(prefix: prefix, rest: rest)) }
        if s.member("contains") != nil {
            let validation = c.vocabularies.contains(.validation)
            let minimum = validation ? try count(c, "minContains") ?? 1 : 1
            let maximum = validation ? try count(c, "maxContains") : nil
            out.append(.contains(try sub(c, "contains"), min: minimum, max: maximum))
        }
        if let list = try schemaArray(c, "allOf") { out.append(.allOf(list)) }
        if let list = try schemaArray(c, "anyOf") { out.append(.anyOf(list)) }
        if let list = try schemaArray(c, "oneOf") { out.append(.oneOf(list)) }
        if s.member("not") != nil { out.append(.not(try sub(c, "not"))) }
        if s.member("if") != nil {
            let then: NodeID? = s.member("then") != nil ? try sub(c, "then") : nil
            let otherwise: NodeID? = s.member("else") != nil ? try sub(c, "else") : nil
            // Kept even without then/else: a passing `if` contributes annotations to unevaluated*.
            out.append(.conditional(condition: try sub(c, "if"), then: then, otherwise: otherwise))
        }
        return out
    }

    private mutating func propertyApplicators(_ c: KeywordContext) throws(SchemaError) -> PropertyApplicators? {
        let s = c.schema
        guard s.member("properties") != nil || s.member("patternProperties") != nil
            || s.member("additionalProperties") != nil else { return nil }
        var p = PropertyApplicators()
        if let props = s.member("properties") {
            guard let members = props.objectMembers else { throw fail(c, "properties", "must be an object") }
            for m in members { p.named.append((Array(m.key.utf8), try sub(c, "properties", m.key))) }
        }
        if let patterns = s.member("patternProperties") {
            guard let members = patterns.objectMembers else { throw fail(c, "patternProperties", "must be an object") }
            for m in members {
                let regex: ECMARegex
                do { regex = try ECMARegex(m.key) } catch { throw fail(c, "patternProperties", "\(error)") }
                p.patterns.append((regex, m.key, try sub(c, "patternProperties", m.key)))
            }
        }
        if s.member("additionalProperties") != nil { p.additional = try sub(c, "additionalProperties") }
        return p
    }

    private mutating func schemaArray(_ c: KeywordContext, _ keyword: String) throws(SchemaError) -> [NodeID]? {
        guard let value = c.schema.member(keyword) else { return nil }
        guard let items = value.arrayValue, !items.isEmpty else { throw fail(c, keyword, "must be a non-empty array") }
        var ids: [NodeID] = []
        for i in items.indices { ids.append(try sub(c, keyword, String(i))) }
        return ids
    }

    /// A non-negative integer keyword value (1.0 counts as an integer).
    func count(_ c: KeywordContext, _ keyword: String) throws(SchemaError) -> Int? {
        guard let value = c.schema.member(keyword) else { return nil }
        guard let text = value.numberText, let d = ExactDecimal(text), d.isInteger, !d.negative else {
            throw fail(c, keyword, "must be a non-negative integer")
        }
        return d.digits.count + d.exponent > 18 ? Int.max : Int(d.toDouble())
    }
}
