/// Applicators: keywords that run subschemas on children or on the same instance.
extension Evaluator {
    mutating func evaluateProperties(_ named: UnsafeBufferPointer<NamedProperty>, _ patterns: UnsafeBufferPointer<PatternProperty>,
                                     _ additional: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .object else { return true }
        var ok = true
        let regexes = schema.regexes
        instance.forEachMember { index, key, value in
            var matched = false
            for entry in named where entry.key.equals(key) {
                matched = true
                if !descendKey(entry.node, value, key: key, keyword: .properties) {
                    ok = false
                }
                break
            }
            for entry in patterns where regexes[entry.regex]._withUnsafeGuaranteedRef({ $0.matches(utf8: key) }) {
                matched = true
                if !descendKey(entry.node, value, key: key, keyword: .patternProperties(regex: entry.regex)) {
                    ok = false
                }
            }
            if !matched, additional != Op.none {
                matched = true
                if !descendKey(additional, value, key: key, keyword: .additionalProperties) { ok = false }
            }
            if matched && marks.active { marks.markProperty(index) }
            return ok || collectAll
        }
        return ok
    }

    /// Fast-path fusion of `required` and the property applicators (never used while recording).
    mutating func evaluateObjectPlan(_ named: UnsafeBufferPointer<NamedProperty>, _ patterns: UnsafeBufferPointer<PatternProperty>,
                                     _ additional: NodeID, _ extra: UnsafeBufferPointer<RequiredKey>, _ mask: UInt64,
                                     _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .object else { return true }
        var ok = true
        var seen: UInt64 = 0
        let regexes = schema.regexes
        instance.forEachMember { index, key, value in
            for entry in extra where entry.key.equals(key) { seen |= entry.bit }
            var matched = false
            for entry in named where entry.key.equals(key) {
                matched = true
                seen |= entry.requiredBit
                var none = EvaluationMarks.inactive
                if !evaluate(entry.node, value, &none) { ok = false }
                break
            }
            for entry in patterns where regexes[entry.regex]._withUnsafeGuaranteedRef({ $0.matches(utf8: key) }) {
                matched = true
                var none = EvaluationMarks.inactive
                if !evaluate(entry.node, value, &none) { ok = false }
            }
            if !matched, additional != Op.none {
                matched = true
                var none = EvaluationMarks.inactive
                if !evaluate(additional, value, &none) { ok = false }
            }
            if matched && marks.active { marks.markProperty(index) }
            return ok
        }
        return ok && seen == mask
    }

    mutating func evaluatePropertyNames(_ id: NodeID, _ instance: Instance) -> Bool {
        guard instance.kind == .object else { return true }
        var ok = true
        instance.forEachMember { _, key, _ in
            let start = errors.count
            var none = EvaluationMarks.inactive
            if !InstanceChecks.withStringInstance(key, { evaluate(id, $0, &none) }) {
                ok = false
                if recording {
                    prefix(from: start, instance: "/" + JSONPointer.escape(String(decoding: key, as: UTF8.self)))
                    if errors.count > start { errors[errors.count - 1].message = "property name: " + errors[errors.count - 1].message }
                }
            }
            return ok || collectAll
        }
        return ok
    }

    mutating func evaluateItems(_ prefix: UnsafeBufferPointer<NodeID>, _ rest: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .array else { return true }
        var ok = true
        var index = 0
        for element in instance.elements {
            if index < prefix.count {
                if !descendIndex(prefix[index], element, index: index, keyword: .prefixItems) { ok = false }
                if marks.active { marks.markItem(index) }
            } else if rest != Op.none {
                if !descendIndex(rest, element, index: index, keyword: .items) { ok = false }
            } else { break }
            if !ok && !collectAll { return false }
            index += 1
        }
        if rest != Op.none && marks.active { marks.allItems = true }
        return ok
    }

    mutating func evaluateContains(_ id: NodeID, _ minimum: Int, _ maximum: Int, _ instance: Instance,
                                   _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .array else { return true }
        var matches = 0
        var index = 0
        for element in instance.elements {
            var none = EvaluationMarks.inactive
            if speculate(id, element, &none) {
                matches += 1
                if marks.active { marks.markItem(index) }
            }
            index += 1
        }
        if matches < minimum {
            report(minimum == 1 ? "array does not contain a matching item" : "array contains fewer than \(minimum) matching items")
            return false
        }
        if maximum >= 0, matches > maximum {
            report("array contains more than \(maximum) matching items")
            return false
        }
        return true
    }

    mutating func evaluateCombinator(_ op: Op, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        switch op {
        case .allOf(let ids):
            var ok = true
            for (i, id) in ids.enumerated() {
                let start = errors.count
                if !evaluate(id, instance, &marks) {
                    ok = false
                    prefix(from: start, keyword: "/\(i)")
                    if !collectAll { return false }
                }
            }
            return ok
        case .anyOf(let ids):
            var any = false
            for id in ids {
                var branch = EvaluationMarks(active: marks.active)
                if speculate(id, instance, &branch) {
                    any = true
                    marks.merge(branch)
                    if !marks.active { return true }  // annotations not needed: stop at the first match
                }
            }
            if !any { report("value does not match any schema in anyOf") }
            return any
        case .oneOf(let ids):
            var matched: [Int] = []
            var kept = EvaluationMarks(active: marks.active)
            for (i, id) in ids.enumerated() {
                var branch = EvaluationMarks(active: marks.active)
                if speculate(id, instance, &branch) {
                    matched.append(i)
                    kept = branch
                    if matched.count > 1 { break }
                }
            }
            if matched.count == 1 { marks.merge(kept); return true }
            report(matched.isEmpty ? "value does not match any schema in oneOf"
                                   : "value matches more than one schema in oneOf (\(matched[0]) and \(matched[1]))")
            return false
        case .not(let id):
            var none = EvaluationMarks.inactive
            if !speculate(id, instance, &none) { return true }
            report("value must not match the schema in not")
            return false
        case .conditional(let condition, let then, let otherwise):
            var branch = EvaluationMarks(active: marks.active)
            if speculate(condition, instance, &branch) {
                marks.merge(branch)
                return then == Op.none || evaluateBranch(then, "/then", instance, &marks)
            }
            return otherwise == Op.none || evaluateBranch(otherwise, "/else", instance, &marks)
        default:
            return true
        }
    }

    /// then/else: errors are located under the sibling keyword, not under `if`.
    private mutating func evaluateBranch(_ id: NodeID, _ keyword: String, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        let start = errors.count
        if evaluate(id, instance, &marks) { return true }
        prefix(from: start, keyword: keyword)
        return false
    }

    mutating func evaluateUnevaluatedProperties(_ id: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .object else { return true }
        var ok = true
        instance.forEachMember { index, key, value in
            if marks.hasProperty(index) { return true }
            if !descendKey(id, value, key: key, keyword: .unevaluatedProperties) { ok = false }
            marks.markProperty(index)
            return ok || collectAll
        }
        return ok
    }

    mutating func evaluateUnevaluatedItems(_ id: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard instance.kind == .array else { return true }
        var ok = true
        var index = 0
        for element in instance.elements {
            if !marks.hasItem(index) {
                if !descendIndex(id, element, index: index, keyword: .unevaluatedItems) { ok = false }
                if !ok && !collectAll { return false }
            }
            index += 1
        }
        marks.allItems = true
        return ok
    }
}
