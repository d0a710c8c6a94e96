/// A compiled JSON Schema (draft 2020-12). Compile once, validate many documents from any thread.
///
/// `isValid` is the hot path: no error strings are built and nothing is allocated for typical
/// schemas. `firstError` / `allErrors` re-run the evaluation with error recording on.
/// `format` is an annotation unless `assertFormat` is set (or the metaschema enables the
/// format-assertion vocabulary).
public struct JSONSchemaValidator: Sendable {
    let compiled: CompiledSchema

    /// Compiles the registered document with root URI `rootURI`.
    public init(rootURI: String, registry: SchemaRegistry, assertFormat: Bool = false) throws(SchemaError) {
        var compiler = SchemaCompiler(registry: registry, assertFormat: assertFormat)
        compiled = try compiler.compile(rootURI: rootURI)
    }

    /// Compiles schema text; `$ref`s resolve against `registry` (which gets this schema added).
    public init(schemaText: String, retrievedFrom uri: String = "urn:pismo:schema", registry: SchemaRegistry = SchemaRegistry(),
                assertFormat: Bool = false) throws(SchemaError) {
        var registry = registry
        let root = try registry.add(text: schemaText, retrievedFrom: uri)
        try self.init(rootURI: root, registry: registry, assertFormat: assertFormat)
    }

    public func isValid(_ node: JSONNode) -> Bool {
        Instance.with(node) { instance in
            var evaluator = Evaluator(schema: compiled, recording: false, collectAll: false)
            var marks = EvaluationMarks.inactive
            return evaluator.evaluate(compiled.root, instance, &marks)
        }
    }

    /// Runs a recording evaluation and returns its errors.
    private func recordedErrors(_ node: JSONNode, collectAll: Bool) -> [ValidationError] {
        Instance.with(node) { instance in
            var evaluator = Evaluator(schema: compiled, recording: true, collectAll: collectAll)
            var marks = EvaluationMarks.inactive
            _ = evaluator.evaluate(compiled.root, instance, &marks)
            return evaluator.errors
        }
    }

    /// nil when valid, else the first failure found.
    public func firstError(_ instance: JSONNode) -> ValidationError? {
        if isValid(instance) { return nil }
        return recordedErrors(instance, collectAll: false).first
            ?? ValidationError(instanceLocation: "", keywordLocation: "", message: "invalid")
    }

    /// The first failure of an instance for which `isValid` just returned false (skips
    /// re-checking validity; for a valid instance it returns a generic "invalid").
    public func explain(_ instance: JSONNode) -> ValidationError {
        recordedErrors(instance, collectAll: false).first
            ?? ValidationError(instanceLocation: "", keywordLocation: "", message: "invalid")
    }

    /// Every failing assertion (empty when valid).
    public func allErrors(_ instance: JSONNode) -> [ValidationError] {
        if isValid(instance) { return [] }
        let errors = recordedErrors(instance, collectAll: true)
        return errors.isEmpty ? [ValidationError(instanceLocation: "", keywordLocation: "", message: "invalid")] : errors
    }
}
