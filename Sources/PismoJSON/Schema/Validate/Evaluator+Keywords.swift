/// Evaluation of each keyword kind against one instance.
extension Evaluator {
    mutating func evaluate(_ op: Op, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        switch op {
        case .type(let types):
            if InstanceChecks.matches(types, instance) { return true }
            report("expected \(types.names), got \(InstanceChecks.typeName(instance))")
            return false
        case .constant(let index):
            if JSONEquality.equal(instance, schema.values[index]) { return true }
            report("value does not equal the const value")
            return false
        case .enumeration(let index):
            for v in schema.valueLists[index] where JSONEquality.equal(instance, v) { return true }
            report("value is not one of the enum values")
            return false
        case .bound(let kind, let index): return checkBound(kind, schema.bounds.baseAddress! + index, instance)
        case .multipleOf(let index):
            guard instance.kind == .number else { return true }
            if InstanceChecks.isMultiple(instance, of: schema.bounds.baseAddress! + index) { return true }
            let text = schema.bounds[index].text
            report("\(InstanceChecks.numberText(instance)) is not a multiple of \(text)")
            return false
        case .minLength(let n): return checkLength(minimum: n, maximum: nil, instance)
        case .maxLength(let n): return checkLength(minimum: nil, maximum: n, instance)
        case .pattern(let index):
            guard instance.kind == .string else { return true }
            let regexes = schema.regexes
            if instance.schemaStringBytes({ bytes in regexes[index]._withUnsafeGuaranteedRef { $0.matches(utf8: bytes) } }) {
                return true
            }
            let source = schema.patternSources[index]
            report("string does not match pattern \(source)")
            return false
        case .format(let format):
            guard instance.kind == .string else { return true }
            if instance.schemaStringBytes({ format.isValid(utf8: $0) }) { return true }
            report("string is not a valid \(format.rawValue)")
            return false
        case .minItems, .maxItems, .minProperties, .maxProperties: return checkCount(op, instance)
        case .uniqueItems: return checkUnique(instance)
        case .required(let keys): return checkRequired(keys, instance)
        case .dependentRequired(let deps):
            guard instance.kind == .object else { return true }
            for dep in deps where instance.hasMember(dep.key.bytes) {
                if !checkRequired(dep.required, instance) { return false }
            }
            return true
        case .properties(let plan):
            let p = plan.pointee
            return evaluateProperties(p.named, p.patterns, p.additional, instance, &marks)
        case .objectPlan(let plan):
            let p = plan.pointee
            return evaluateObjectPlan(p.named, p.patterns, p.additional, p.extraRequired, p.requiredMask, instance, &marks)
        case .propertyNames(let id): return evaluatePropertyNames(id, instance)
        case .dependentSchemas(let deps):
            guard instance.kind == .object else { return true }
            var ok = true
            for dep in deps where instance.hasMember(dep.key.bytes) {
                let start = errors.count
                if !evaluate(dep.node, instance, &marks) {
                    prefix(from: start, keyword: "/" + String(decoding: dep.key.bytes, as: UTF8.self))
                    ok = false
                    if !collectAll { return false }
                }
            }
            return ok
        case .items(let prefix, let rest): return evaluateItems(prefix, rest, instance, &marks)
        case .contains(let id, let minimum, let maximum): return evaluateContains(id, minimum, maximum, instance, &marks)
        case .allOf, .anyOf, .oneOf, .not, .conditional: return evaluateCombinator(op, instance, &marks)
        case .ref(let id): return evaluate(id, instance, &marks)
        case .dynamicRef(let anchor, let fallback):
            return evaluate(resolveDynamic(schema.anchorNames[anchor]) ?? fallback, instance, &marks)
        case .unevaluatedProperties(let id): return evaluateUnevaluatedProperties(id, instance, &marks)
        case .unevaluatedItems(let id): return evaluateUnevaluatedItems(id, instance, &marks)
        }
    }

    /// The outermost resource in the dynamic scope that declares `$dynamicAnchor: anchor`
    /// (the root schema's resource is always the outermost entry).
    private func resolveDynamic(_ anchor: String) -> NodeID? {
        if let id = schema.dynamicAnchors[schema.nodes[schema.root].resource][anchor] { return id }
        for resource in scope {
            if let id = schema.dynamicAnchors[resource][anchor] { return id }
        }
        return nil
    }

    private mutating func checkBound(_ kind: BoundKind, _ bound: UnsafePointer<NumberBound>, _ instance: Instance) -> Bool {
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
            let text = bound.pointee.text
            report("\(InstanceChecks.numberText(instance)) must be \(relation) \(text)")
        }
        return ok
    }

    private mutating func checkLength(minimum: Int?, maximum: Int?, _ instance: Instance) -> Bool {
        guard instance.kind == .string else { return true }
        // A code point takes 1-4 UTF-8 bytes, so the byte count often decides without counting.
        let bytes = instance.schemaStringBytes { $0.count }
        if let maximum, minimum == nil, bytes <= maximum { return true }
        if let minimum, maximum == nil, bytes >= 4 * minimum { return true }
        let length = instance.schemaStringBytes { InstanceChecks.codePointCount($0) }
        if let minimum, length < minimum {
            report("string is shorter than \(minimum) characters")
            return false
        }
        if let maximum, length > maximum {
            report("string is longer than \(maximum) characters")
            return false
        }
        return true
    }

    private mutating func checkCount(_ op: Op, _ instance: Instance) -> Bool {
        switch op {
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

    private mutating func checkUnique(_ instance: Instance) -> Bool {
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

    /// One pass over the members marks which required keys are present (a bit per key).
    private mutating func checkRequired(_ keys: UnsafeBufferPointer<KeyRef>, _ instance: Instance) -> Bool {
        guard instance.kind == .object, !keys.isEmpty else { return true }
        if keys.count <= 64 {
            var seen: UInt64 = 0
            let all: UInt64 = keys.count == 64 ? ~0 : (1 << UInt64(keys.count)) - 1
            instance.forEachMember { _, key, _ in
                for k in 0..<keys.count where keys[k].equals(key) { seen |= 1 << UInt64(k) }
                return seen != all
            }
            if seen == all { return true }
        }
        var ok = true
        for key in keys where !instance.hasMember(key.bytes) {
            report("missing required property \"\(String(decoding: key.bytes, as: UTF8.self))\"")
            ok = false
            if !collectAll { return false }
        }
        return ok
    }
}
