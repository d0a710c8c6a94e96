/// Bytes of a key owned by a `SchemaArena`.
struct KeyRef {
    let start: UnsafePointer<UInt8>
    let count: Int
    @inline(__always) var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }
    @inline(__always) func equals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return memoryEquals(start, other.baseAddress!, count)
    }
}

struct NamedProperty {
    let key: KeyRef
    let node: NodeID
    /// Bit of this key in the fused `required` mask (0 when not required).
    var requiredBit: UInt64 = 0
}
struct RequiredKey { let key: KeyRef; let bit: UInt64 }
struct PatternProperty { let regex: Int; let node: NodeID }
struct DependentRequirement { let key: KeyRef; let required: UnsafeBufferPointer<KeyRef> }
struct DependentSchema { let key: KeyRef; let node: NodeID }

/// The evaluation form of `Keyword`: every payload is a plain value or a pointer into the
/// schema's arena, so reading an `Op` never touches reference counts (the validator's hot loop
/// was dominated by retain/release of the array-carrying `Keyword` payloads).
enum Op {
    case type(TypeSet)
    case constant(Int)                 // CompiledSchema.values index
    case enumeration(Int)              // CompiledSchema.valueLists index
    case bound(BoundKind, Int)         // CompiledSchema.bounds index
    case multipleOf(Int)
    case minLength(Int), maxLength(Int)
    case pattern(Int)                  // CompiledSchema.regexes index
    case format(SchemaFormat)
    case minItems(Int), maxItems(Int), uniqueItems
    case minProperties(Int), maxProperties(Int)
    case required(UnsafeBufferPointer<KeyRef>)
    case dependentRequired(UnsafeBufferPointer<DependentRequirement>)
    case properties(UnsafePointer<ObjectPlan>)     // requiredMask 0, no extra keys
    /// `required` + `properties`/`patternProperties`/`additionalProperties` in one pass over the
    /// members (fast path only; recording runs use the separate ops for exact error order).
    /// Behind a pointer to keep `Op` small (ops are copied out of the buffer to be switched on).
    case objectPlan(UnsafePointer<ObjectPlan>)
    case propertyNames(NodeID)
    case dependentSchemas(UnsafeBufferPointer<DependentSchema>)
    case items(prefix: UnsafeBufferPointer<NodeID>, rest: NodeID)
    case contains(NodeID, min: Int, max: Int)
    case allOf(UnsafeBufferPointer<NodeID>), anyOf(UnsafeBufferPointer<NodeID>), oneOf(UnsafeBufferPointer<NodeID>)
    case not(NodeID)
    case conditional(condition: NodeID, then: NodeID, otherwise: NodeID)
    case ref(NodeID)
    case dynamicRef(anchor: Int, fallback: NodeID)  // CompiledSchema.anchorNames index
    case unevaluatedProperties(NodeID), unevaluatedItems(NodeID)

    static let none: NodeID = -1

    var locatesOwnErrors: Bool {
        switch self {
        case .properties, .objectPlan, .items, .conditional, .unevaluatedProperties, .unevaluatedItems: return true
        default: return false
        }
    }
}

struct ObjectPlan {
    let named: UnsafeBufferPointer<NamedProperty>
    let patterns: UnsafeBufferPointer<PatternProperty>
    let additional: NodeID
    let extraRequired: UnsafeBufferPointer<RequiredKey>
    let requiredMask: UInt64
}

struct FlatNode {
    /// Ops for `isValid` (possibly fused).
    let ops: UnsafeBufferPointer<Op>
    /// One op per schema keyword, for runs that record errors (parallel to keywordNames).
    let recordOps: UnsafeBufferPointer<Op>
    let boolean: Int8          // -1: object schema, 0: false, 1: true
    let resource: Int
    let tracksEvaluation: Bool
    let names: Int             // CompiledSchema.keywordNames index (error messages only)
}

/// Owns the raw memory behind every `UnsafeBufferPointer` in a compiled schema's ops; freed
/// with the schema. Written only during `CompiledSchema.init`.
final class SchemaArena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []

    func copy<T>(_ items: [T]) -> UnsafeBufferPointer<T> {
        let memory = UnsafeMutablePointer<T>.allocate(capacity: max(items.count, 1))
        memory.initialize(from: items, count: items.count)
        blocks.append(UnsafeMutableRawPointer(memory))
        return UnsafeBufferPointer(start: memory, count: items.count)
    }

    func key(_ bytes: [UInt8]) -> KeyRef {
        let buffer = copy(bytes)
        return KeyRef(start: buffer.baseAddress!, count: bytes.count)
    }

    deinit {
        // Only trivial types (Ops, KeyRefs, integers) live here, so no deinitialization is needed.
        for block in blocks { block.deallocate() }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
