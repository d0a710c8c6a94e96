/// The validation vocabulary: type, enum/const, numeric, string, array and object assertions.
extension SchemaCompiler {
    mutating func validationKeywords(_ c: KeywordContext) throws(SchemaError) -> [Keyword] {
        var out: [Keyword] = []
        let s = c.schema
        if let t = s.member("type") { out.append(.type(try typeSet(t, c))) }
        if let v = s.member("const") { out.append(.constant(v)) }
        if let v = s.member("enum") {
            guard let values = v.arrayValue else { throw fail(c, "enum", "must be an array") }
            out.append(.enumeration(values))
        }
        for kind in [BoundKind.minimum, .maximum, .exclusiveMinimum, .exclusiveMaximum] {
            if let v = s.member(kind.name) { out.append(.bound(kind, try bound(v, c, kind.name))) }
        }
        if let v = s.member("multipleOf") {
            let b = try bound(v, c, "multipleOf")
            guard !b.exact.negative, !b.exact.isZero else { throw fail(c, "multipleOf", "must be greater than 0") }
            out.append(.multipleOf(b))
        }
        if let n = try count(c, "minLength") { out.append(.minLength(n)) }
        if let n = try count(c, "maxLength") { out.append(.maxLength(n)) }
        if let v = s.member("pattern") {
            guard let text = v.stringValue else { throw fail(c, "pattern", "must be a string") }
            do { out.append(.pattern(try ECMARegex(text))) } catch { throw fail(c, "pattern", "\(error)") }
        }
        if let n = try count(c, "minItems") { out.append(.minItems(n)) }
        if let n = try count(c, "maxItems") { out.append(.maxItems(n)) }
        if s.member("uniqueItems")?.boolValue == true { out.append(.uniqueItems) }
        if let n = try count(c, "minProperties") { out.append(.minProperties(n)) }
        if let n = try count(c, "maxProperties") { out.append(.maxProperties(n)) }
        if let v = s.member("required") { out.append(.required(try stringArray(v, c, "required"))) }
        if let v = s.member("dependentRequired") {
            guard let members = v.objectMembers else { throw fail(c, "dependentRequired", "must be an object") }
            var list: [(key: [UInt8], required: [[UInt8]])] = []
            for m in members { list.append((Array(m.key.utf8), try stringArray(m.value, c, "dependentRequired"))) }
            out.append(.dependentRequired(list))
        }
        return out
    }

    private func typeSet(_ v: JSONValue, _ c: KeywordContext) throws(SchemaError) -> TypeSet {
        let names: [JSONValue] = v.arrayValue ?? [v]
        var set: TypeSet = []
        for n in names {
            guard let name = n.stringValue, let t = TypeSet.named(name) else { throw fail(c, "type", "unknown type") }
            set.insert(t)
        }
        return set
    }

    private func bound(_ v: JSONValue, _ c: KeywordContext, _ keyword: String) throws(SchemaError) -> NumberBound {
        guard let text = v.numberText, let exact = ExactDecimal(text) else { throw fail(c, keyword, "must be a number") }
        let double = Double(text) ?? exact.toDouble()
        return NumberBound(text: text, double: double, exact: exact,
                           doubleIsExact: exact.digits.count <= 15 && abs(exact.exponent) < 280 && double.isFinite)
    }

    private func stringArray(_ v: JSONValue, _ c: KeywordContext, _ keyword: String) throws(SchemaError) -> [[UInt8]] {
        guard let items = v.arrayValue else { throw fail(c, keyword, "must be an array of strings") }
        var out: [[UInt8]] = []
        for item in items {
            guard let s = item.stringValue else { throw fail(c, keyword, "must be an array of strings") }
            out.append(Array(s.utf8))
        }
        return out
    }
}
