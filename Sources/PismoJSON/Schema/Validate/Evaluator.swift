/// One validation run over one instance. Not shared: create one per call (it is a small struct;
/// the dynamic-scope stack and the error list only allocate when used).
///
/// `recording` decides whether failures build `ValidationError`s. The hot path runs with it off
/// (no strings are made); a failing document is re-run with it on to explain the first failure.
/// Speculative sub-evaluations (anyOf branches, `not`, `if`, `contains`) always run with it off.
struct Evaluator: ~Copyable {
    let schema: CompiledSchema
    var recording: Bool
    var collectAll: Bool
    var errors: [ValidationError] = []
    var scope: [Int] = []
    var currentResource: Int
    /// Nested `evaluate` calls in progress. A `$ref` cycle that never descends into the instance
    /// (`{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`, found by
    /// fuzz-schema) would otherwise recurse until the stack overflows and the process dies.
    private var depth = 0
    static let maxDepth = 512

    init(schema: CompiledSchema, recording: Bool, collectAll: Bool) {
        self.schema = schema
        self.recording = recording
        self.collectAll = collectAll
        // The root resource is the implicit outermost scope entry (see resolveDynamic), so the
        // scope array stays empty - and unallocated - unless evaluation crosses resources.
        currentResource = schema.nodes[schema.root].resource
    }

    mutating func evaluate(_ id: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        guard depth < Self.maxDepth else {
            report("schema recursion deeper than \(Self.maxDepth) levels (a $ref cycle that does not descend into the value?)")
            return false
        }
        depth += 1
        defer { depth -= 1 }
        let node = schema.nodes[id]
        if node.boolean >= 0 {
            if node.boolean == 0 { report("false schema does not allow this value") }
            return node.boolean == 1
        }
        let savedResource = currentResource
        if node.resource != currentResource {
            scope.append(node.resource)
            currentResource = node.resource
        }
        defer {
            if currentResource != savedResource {
                scope.removeLast()
                currentResource = savedResource
            }
        }
        guard node.tracksEvaluation else { return evaluateOps(node, instance, &marks) }
        var own = EvaluationMarks(active: true)
        let ok = evaluateOps(node, instance, &own)
        if ok { marks.merge(own) }
        return ok
    }

    private mutating func evaluateOps(_ node: FlatNode, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        var valid = true
        let ops = recording ? node.recordOps : node.ops
        for k in 0..<ops.count {
            let start = errors.count
            if !evaluate(ops[k], instance, &marks) {
                valid = false
                if recording && !ops[k].locatesOwnErrors {
                    prefix(from: start, keyword: "/" + schema.keywordNames[node.names][k])
                }
                if !collectAll { return false }
            }
        }
        return valid
    }

    /// Runs a sub-evaluation whose failure is not itself an error (its result is interpreted).
    mutating func speculate(_ id: NodeID, _ instance: Instance, _ marks: inout EvaluationMarks) -> Bool {
        let savedRecording = recording, savedCollect = collectAll
        recording = false
        collectAll = false
        defer { recording = savedRecording; collectAll = savedCollect }
        return evaluate(id, instance, &marks)
    }

    // MARK: error plumbing

    /// Records a failure at the current position; paths are prepended while unwinding.
    mutating func report(_ message: @autoclosure () -> String) {
        guard recording else { return }
        errors.append(ValidationError(instanceLocation: "", keywordLocation: "", message: message()))
    }

    mutating func prefix(from start: Int, instance: String = "", keyword: String = "") {
        guard recording, start < errors.count else { return }
        for i in start..<errors.count {
            errors[i].instanceLocation = instance + errors[i].instanceLocation
            errors[i].keywordLocation = keyword + errors[i].keywordLocation
        }
    }

    /// Which keyword led to a child instance (to build keyword locations only when recording).
    enum ChildKeyword {
        case properties, patternProperties(regex: Int), additionalProperties, unevaluatedProperties
        case prefixItems, items, unevaluatedItems
    }

    private func location(_ keyword: ChildKeyword, key: String, index: Int) -> String {
        switch keyword {
        case .properties: return "/properties/" + JSONPointer.escape(key)
        case .patternProperties(let regex): return "/patternProperties/" + JSONPointer.escape(schema.patternSources[regex])
        case .additionalProperties: return "/additionalProperties"
        case .unevaluatedProperties: return "/unevaluatedProperties"
        case .prefixItems: return "/prefixItems/\(index)"
        case .items: return "/items"
        case .unevaluatedItems: return "/unevaluatedItems"
        }
    }

    mutating func descendKey(_ id: NodeID, _ child: Instance, key: UnsafeBufferPointer<UInt8>, keyword: ChildKeyword) -> Bool {
        let start = errors.count
        var none = EvaluationMarks.inactive
        if evaluate(id, child, &none) { return true }
        if recording {
            let name = String(decoding: key, as: UTF8.self)
            let path = location(keyword, key: name, index: 0)
            if schema.nodes[id].boolean == 0, errors.count == start + 1 {
                switch keyword {
                case .additionalProperties, .unevaluatedProperties, .properties, .patternProperties:
                    errors[start].message = "property is not allowed"
                default: break
                }
            }
            prefix(from: start, instance: "/" + JSONPointer.escape(name), keyword: path)
        }
        return false
    }

    mutating func descendIndex(_ id: NodeID, _ child: Instance, index: Int, keyword: ChildKeyword) -> Bool {
        let start = errors.count
        var none = EvaluationMarks.inactive
        if evaluate(id, child, &none) { return true }
        if recording {
            let path = location(keyword, key: "", index: index)
            prefix(from: start, instance: "/\(index)", keyword: path)
        }
        return false
    }
}
