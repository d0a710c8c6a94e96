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

    init(schema: CompiledSchema, recording: Bool, collectAll: Bool) {
        self.schema = schema
        self.recording = recording
        self.collectAll = collectAll
        currentResource = schema.nodes[schema.root].resource
        scope = [currentResource]
    }

    mutating func evaluate(_ id: NodeID, _ instance: JSONNode, _ marks: inout EvaluationMarks) -> Bool {
        let node = schema.nodes[id]
        if let b = node.boolean {
            if !b { report("false schema does not allow this value") }
            return b
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
        guard node.tracksEvaluation else { return evaluateKeywords(node.keywords, instance, &marks) }
        var own = EvaluationMarks(active: true)
        let ok = evaluateKeywords(node.keywords, instance, &own)
        if ok { marks.merge(own) }
        return ok
    }

    private mutating func evaluateKeywords(_ keywords: [Keyword], _ instance: JSONNode, _ marks: inout EvaluationMarks) -> Bool {
        var valid = true
        for keyword in keywords {
            let start = errors.count
            if !evaluate(keyword, instance, &marks) {
                valid = false
                if recording && !keyword.locatesOwnErrors { prefix(from: start, keyword: "/" + keyword.name) }
                if !collectAll { return false }
            }
        }
        return valid
    }

    /// Runs a sub-evaluation whose failure is not itself an error (its result is interpreted).
    mutating func speculate(_ id: NodeID, _ instance: JSONNode, _ marks: inout EvaluationMarks) -> Bool {
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

    mutating func descendKey(_ id: NodeID, _ child: JSONNode, key: UnsafeBufferPointer<UInt8>, keyword: @autoclosure () -> String) -> Bool {
        let start = errors.count
        var none = EvaluationMarks.inactive
        if evaluate(id, child, &none) { return true }
        if recording {
            let k = JSONPointer.escape(String(decoding: key, as: UTF8.self))
            prefix(from: start, instance: "/" + k, keyword: "/" + keyword())
        }
        return false
    }

    mutating func descendIndex(_ id: NodeID, _ child: JSONNode, index: Int, keyword: @autoclosure () -> String) -> Bool {
        let start = errors.count
        var none = EvaluationMarks.inactive
        if evaluate(id, child, &none) { return true }
        if recording { prefix(from: start, instance: "/\(index)", keyword: keyword()) }
        return false
    }
}
