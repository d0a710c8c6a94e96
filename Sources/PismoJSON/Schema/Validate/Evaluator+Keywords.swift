/// Evaluation of each keyword kind against one instance.
extension Evaluator {
    mutating func evaluate(_ keyword: Keyword, _ instance: JSONNode, _ marks: inout EvaluationMarks) -> Bool {
        switch keyword {
        case .type(let types):
            if InstanceChecks.matches(types, instance) { return true }
            report("expected \(types.names), got \(InstanceChecks.typeName(instance))")
            return false
        case .constant(let value):
            if JSONEquality.equal(instance, value) { return true }
            report("value does not equal the const value")
            return false
        case .enumeration(let values):
            for v in values where JSONEquality.equal(instance, v) { return true }
            report("value is not one of the enum values")
            return false
        case .bound(let kind, let bound): return checkBound(kind, bound, instance)
        case .multipleOf(let divisor):
            guard instance.kind == .number else { return true }
            if InstanceChecks.isMultiple(instance, of: divisor) { return true }
            report("\(InstanceChecks.numberText(instance)) is not a multiple of \(divisor.text)")
            return false
        case .minLength(let n), .maxLength(let n): return checkLength(keyword, n, instance)
        case .pattern(let regex):
            guard instance.kind == .string else { return true }
            if instance.withStringBytes({ regex.matches(utf8: $0) }) { return true }
            report("string does not match pattern \(regex.source)")
            return false
        case .format(let format):
            guard instance.kind == .string else { return true }
            if instance.withStringBytes({ format.isValid(utf8: $0) }) { return true }
            report("string is not a valid \(format.rawValue)")
            return false
        case .minItems, .maxItems, .minProperties, .maxProperties: return checkCount(keyword, instance)
        case .uniqueItems: return checkUnique(instance)
        case .required(let keys): return checkRequired(keys, instance)
        case .dependentRequired(let deps):
            guard instance.kind == .object else { return true }
            for dep in deps where instance.hasMember(dep.key) {
                if !checkRequired(dep.required, instance) { return false }
            }
            return true
        case .properties(let applicators): return evaluateProperties(applicators, instance, &marks)
        case .propertyNames(let id): return evaluatePropertyNames(id, instance)
        case .dependentSchemas(let deps):
            guard instance.kind == .object else { return true }
            var ok = true
            for dep in deps where instance.hasMember(dep.key) {
                let start = errors.count
                if !evaluate(dep.node, instance, &marks) {
                    prefix(from: start, keyword: "/" + String(decoding: dep.key, as: UTF8.self))
                    ok = false
                    if !collectAll { return false }
                }
            }
            return ok
        case .items(let prefix, let rest): return evaluateItems(prefix, rest, instance, &marks)
        case .contains(let id, let minimum, let maximum): return evaluateContains(id, minimum, maximum, instance, &marks)
        case .allOf, .anyOf, .oneOf, .not, .conditional: return evaluateCombinator(keyword, instance, &marks)
        case .ref(let id): return evaluate(id, instance, &marks)
        case .dynamicRef(let anchor, let fallback):
            return evaluate(resolveDynamic(anchor) ?? fallback, instance, &marks)
        case .unevaluatedProperties(let id): return evaluateUnevaluatedProperties(id, instance, &marks)
        case .unevaluatedItems(let id): return evaluateUnevaluatedItems(id, instance, &marks)
        }
    }

    /// The outermost resource in the dynamic scope that declares `$dynamicAnchor: anchor`.
    private func resolveDynamic(_ anchor: String) -> NodeID? {
        for resource in scope {
            if let id = schema.dynamicAnchors[resource][anchor] { return id }
        }
        return nil
    }

    private mutating func checkBound(_ kind: BoundKind, _ bound: NumberBound, _ instance: JSONNode) -> Bool {
        guard instance.kind == .number else { return true }
        let c = InstanceChecks.compare(instance, bound)
        let ok: Bool
        switch kind {
        case .minimum: ok = c >= 0
        case .maximum: ok = c <= 0
        case .exclusiveMinimum: ok = c > 0
        case .exclusiveMaximum: ok = c < 0
        }
        if !ok {
            let relation = kind == .minimum ? ">=" : kind == .maximum ? "<=" : kind == .exclusiveMinimum ? ">" : "<"
            report("\(InstanceChecks.numberText(instance)) must be \(relation) \(bound.text)")
        }
        return ok
    }

    private mutating func checkLength(_ keyword: Keyword, _ n: Int, _ instance: JSONNode) -> Bool {
        guard instance.kind == .string else { return true }
        let length = instance.withStringBytes { InstanceChecks.codePointCount($0) }
        if case .minLength = keyword {
            if length >= n { return true }
            report("string is shorter than \(n) characters")
        } else {
            if length <= n { return true }
            report("string is longer than \(n) characters")
        }
        return false
    }

    private mutating func checkCount(_ keyword: Keyword, _ instance: JSONNode) -> Bool {
        switch keyword {
        case .minItems(let n) where instance.kind == .array:
            if instance.count >= n { return true }
            report("array has fewer than \(n) items")
        case .maxItems(let n) where instance.kind == .array:
            if instance.count <= n { return true }
            report("array has more than \(n) items")
        case .minProperties(let n) where instance.kind == .object:
            if instance.count >= n { return true }
            report("object has fewer than \(n) properties")
        case .maxProperties(let n) where instance.kind == .object:
            if instance.count <= n { return true }
            report("object has more than \(n) properties")
        default: return true
        }
        return false
    }

    private mutating func checkUnique(_ instance: JSONNode) -> Bool {
        guard instance.kind == .array, instance.count > 1 else { return true }
        let items = Array(instance.elements)
        for i in items.indices {
            for j in (i + 1)..<items.count where JSONEquality.equal(items[i], items[j]) {
                report("items \(i) and \(j) are equal")
                return false
            }
        }
        return true
    }

    private mutating func checkRequired(_ keys: [[UInt8]], _ instance: JSONNode) -> Bool {
        guard instance.kind == .object else { return true }
        var ok = true
        for key in keys where !instance.hasMember(key) {
            report("missing required property \"\(String(decoding: key, as: UTF8.self))\"")
            ok = false
            if !collectAll { return false }
        }
        return ok
    }
}
