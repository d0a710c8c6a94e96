/// The immutable result of compiling a schema: a flat array of nodes that refer to each other by
/// index (so recursion is just a back-reference), plus each resource's `$dynamicAnchor` nodes.
/// Shared freely between threads.
final class CompiledSchema: Sendable {
    let nodes: [SchemaNode]
    let root: NodeID
    /// Resource index -> dynamic anchor name -> node.
    let dynamicAnchors: [[String: NodeID]]
    let resourceURIs: [String]

    init(nodes: [SchemaNode], root: NodeID, dynamicAnchors: [[String: NodeID]], resourceURIs: [String]) {
        self.nodes = nodes
        self.root = root
        self.dynamicAnchors = dynamicAnchors
        self.resourceURIs = resourceURIs
    }
}

/// Which properties / items of the current instance some keyword has evaluated; only collected
/// (`active`) below a schema that has `unevaluatedProperties` or `unevaluatedItems`.
struct EvaluationMarks {
    var active: Bool
    var properties: [UInt64] = []
    var items: [UInt64] = []
    var allItems = false

    static var inactive: EvaluationMarks { EvaluationMarks(active: false) }

    mutating func markProperty(_ i: Int) { Self.set(&properties, i) }
    mutating func markItem(_ i: Int) { Self.set(&items, i) }
    func hasProperty(_ i: Int) -> Bool { Self.get(properties, i) }
    func hasItem(_ i: Int) -> Bool { allItems || Self.get(items, i) }

    mutating func merge(_ other: EvaluationMarks) {
        guard active else { return }
        if other.allItems { allItems = true }
        Self.union(&properties, other.properties)
        Self.union(&items, other.items)
    }

    private static func set(_ bits: inout [UInt64], _ i: Int) {
        while bits.count <= i / 64 { bits.append(0) }
        bits[i / 64] |= 1 << UInt64(i % 64)
    }
    private static func get(_ bits: [UInt64], _ i: Int) -> Bool {
        i / 64 < bits.count && bits[i / 64] & (1 << UInt64(i % 64)) != 0
    }
    private static func union(_ a: inout [UInt64], _ b: [UInt64]) {
        while a.count < b.count { a.append(0) }
        for i in b.indices { a[i] |= b[i] }
    }
}
