/// The immutable result of compiling a schema: a flat array of nodes that refer to each other by
/// index (so recursion is just a back-reference), plus each resource's `$dynamicAnchor` nodes.
/// Ops point into `arena`; side tables hold the few reference-typed payloads (regexes, bounds,
/// const/enum values), reached by index. Shared freely between threads (never mutated).
final class CompiledSchema: @unchecked Sendable {
    let root: NodeID
    /// Resource index -> dynamic anchor name -> node.
    let dynamicAnchors: [[String: NodeID]]
    let resourceURIs: [String]
    let nodes: UnsafeBufferPointer<FlatNode>
    /// Unmanaged so matching never retains; `ownedRegexes` keeps them alive.
    let regexes: UnsafeMutableBufferPointer<Unmanaged<ECMARegex>>
    private let ownedRegexes: [ECMARegex]
    let bounds: UnsafeMutableBufferPointer<NumberBound>
    let values: [JSONValue]
    let valueLists: [[JSONValue]]
    let anchorNames: [String]
    let patternSources: [String]
    let keywordNames: [[String]]
    private let arena = SchemaArena()

    init(nodes source: [SchemaNode], root: NodeID, dynamicAnchors: [[String: NodeID]], resourceURIs: [String]) {
        self.root = root
        self.dynamicAnchors = dynamicAnchors
        self.resourceURIs = resourceURIs
        var builder = FlatBuilder(arena: arena)
        var flat: [FlatNode] = []
        for node in source {
            let ops = node.keywords.map { builder.op($0) }
            flat.append(FlatNode(ops: arena.copy(builder.fuse(ops)), recordOps: arena.copy(ops), boolean: node.boolean.map { $0 ? 1 : 0 } ?? -1,
                                 resource: node.resource, tracksEvaluation: node.tracksEvaluation,
                                 names: builder.keywordNames.count))
            builder.keywordNames.append(node.keywords.map(\.name))
        }
        nodes = arena.copy(flat)
        ownedRegexes = builder.regexes
        regexes = Self.own(builder.regexes.map { Unmanaged.passUnretained($0) })
        bounds = Self.own(builder.bounds)
        values = builder.values
        valueLists = builder.valueLists
        anchorNames = builder.anchorNames
        patternSources = builder.patternSources
        keywordNames = builder.keywordNames
    }

    private static func own<T>(_ items: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(items.count, 1))
        _ = buffer.initialize(from: items)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<items.count])
    }

    deinit {
        regexes.baseAddress.map { $0.deallocate() }
        bounds.deinitialize()
        bounds.baseAddress.map { $0.deallocate() }
    }
}

/// Converts `Keyword`s into arena-backed `Op`s, collecting side tables.
private struct FlatBuilder {
    let arena: SchemaArena
    var regexes: [ECMARegex] = []
    var patternSources: [String] = []
    var bounds: [NumberBound] = []
    var values: [JSONValue] = []
    var valueLists: [[JSONValue]] = []
    var anchorNames: [String] = []
    var keywordNames: [[String]] = []

    mutating func regex(_ r: ECMARegex, _ source: String) -> Int {
        regexes.append(r)
        patternSources.append(source)
        return regexes.count - 1
    }

    /// Merges `required` into the node's `properties` op when both are present, so an object is
    /// scanned once: named properties carry their required bit, other required keys are checked
    /// against every member.
    func fuse(_ ops: [Op]) -> [Op] {
        guard let r = ops.firstIndex(where: { if case .required = $0 { return true }; return false }),
              let p = ops.firstIndex(where: { if case .properties = $0 { return true }; return false }),
              case .required(let keys) = ops[r], keys.count <= 64,
              case .properties(let properties) = ops[p] else { return ops }
        let (named, patterns, additional) = (properties.pointee.named, properties.pointee.patterns, properties.pointee.additional)
        var fusedNamed = Array(named)
        var extra: [RequiredKey] = []
        for (bit, key) in keys.enumerated() {
            if let i = fusedNamed.firstIndex(where: { $0.key.equals(key.bytes) }) {
                fusedNamed[i].requiredBit |= 1 << UInt64(bit)
            } else {
                extra.append(RequiredKey(key: key, bit: 1 << UInt64(bit)))
            }
        }
        var out = ops
        let mask: UInt64 = keys.count == 64 ? ~0 : (1 << UInt64(keys.count)) - 1
        let plan = ObjectPlan(named: arena.copy(fusedNamed), patterns: patterns, additional: additional,
                              extraRequired: arena.copy(extra), requiredMask: mask)
        out[r] = .objectPlan(arena.copy([plan]).baseAddress!)
        out.remove(at: p)
        return out
    }

    mutating func op(_ k: Keyword) -> Op {
        switch k {
        case .type(let t): return .type(t)
        case .constant(let v): values.append(v); return .constant(values.count - 1)
        case .enumeration(let list): valueLists.append(list); return .enumeration(valueLists.count - 1)
        case .bound(let kind, let b): bounds.append(b); return .bound(kind, bounds.count - 1)
        case .multipleOf(let b): bounds.append(b); return .multipleOf(bounds.count - 1)
        case .minLength(let n): return .minLength(n)
        case .maxLength(let n): return .maxLength(n)
        case .pattern(let r): return .pattern(regex(r, r.source))
        case .format(let f): return .format(f)
        case .minItems(let n): return .minItems(n)
        case .maxItems(let n): return .maxItems(n)
        case .uniqueItems: return .uniqueItems
        case .minProperties(let n): return .minProperties(n)
        case .maxProperties(let n): return .maxProperties(n)
        case .required(let keys): return .required(arena.copy(keys.map(arena.key)))
        case .dependentRequired(let deps):
            return .dependentRequired(arena.copy(deps.map { DependentRequirement(key: arena.key($0.key), required: arena.copy($0.required.map(arena.key))) }))
        case .properties(let p):
            let named = p.named.map { NamedProperty(key: arena.key($0.key), node: $0.node) }
            let patterns = p.patterns.map { PatternProperty(regex: regex($0.regex, $0.source), node: $0.node) }
            let plan = ObjectPlan(named: arena.copy(named), patterns: arena.copy(patterns), additional: p.additional ?? Op.none,
                                  extraRequired: arena.copy([RequiredKey]()), requiredMask: 0)
            return .properties(arena.copy([plan]).baseAddress!)
        case .propertyNames(let id): return .propertyNames(id)
        case .dependentSchemas(let deps): return .dependentSchemas(arena.copy(deps.map { DependentSchema(key: arena.key($0.key), node: $0.node) }))
        case .items(let prefix, let rest): return .items(prefix: arena.copy(prefix), rest: rest ?? Op.none)
        case .contains(let id, let lo, let hi): return .contains(id, min: lo, max: hi ?? -1)
        case .allOf(let ids): return .allOf(arena.copy(ids))
        case .anyOf(let ids): return .anyOf(arena.copy(ids))
        case .oneOf(let ids): return .oneOf(arena.copy(ids))
        case .not(let id): return .not(id)
        case .conditional(let c, let t, let e): return .conditional(condition: c, then: t ?? Op.none, otherwise: e ?? Op.none)
        case .ref(let id): return .ref(id)
        case .dynamicRef(let anchor, let fallback): anchorNames.append(anchor); return .dynamicRef(anchor: anchorNames.count - 1, fallback: fallback)
        case .unevaluatedProperties(let id): return .unevaluatedProperties(id)
        case .unevaluatedItems(let id): return .unevaluatedItems(id)
        }
    }
}

/// Which properties / items of the current instance some keyword has evaluated; only collected
/// (`active`) below a schema that has `unevaluatedProperties` or `unevaluatedItems`. The bit
/// sets are nil until first used, so the inactive value costs nothing to create or pass.
struct EvaluationMarks {
    var active: Bool
    var properties: [UInt64]? = nil
    var items: [UInt64]? = nil
    var allItems = false

    static var inactive: EvaluationMarks { EvaluationMarks(active: false) }

    mutating func markProperty(_ i: Int) { Self.set(&properties, i) }
    mutating func markItem(_ i: Int) { Self.set(&items, i) }
    func hasProperty(_ i: Int) -> Bool { Self.get(properties, i) }
    func hasItem(_ i: Int) -> Bool { allItems || Self.get(items, i) }

    mutating func merge(_ other: EvaluationMarks) {
        guard active else { return }
        if other.allItems { allItems = true }
        if let p = other.properties { Self.union(&properties, p) }
        if let i = other.items { Self.union(&items, i) }
    }

    private static func set(_ bits: inout [UInt64]?, _ i: Int) {
        var b = bits ?? []
        bits = nil
        while b.count <= i / 64 { b.append(0) }
        b[i / 64] |= 1 << UInt64(i % 64)
        bits = b
    }
    private static func get(_ bits: [UInt64]?, _ i: Int) -> Bool {
        guard let bits else { return false }
        return i / 64 < bits.count && bits[i / 64] & (1 << UInt64(i % 64)) != 0
    }
    private static func union(_ a: inout [UInt64]?, _ b: [UInt64]) {
        var merged = a ?? []
        a = nil
        while merged.count < b.count { merged.append(0) }
        for i in b.indices { merged[i] |= b[i] }
        a = merged
    }
}
