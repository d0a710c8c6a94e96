/// Index of a compiled subschema in `CompiledSchema.nodes`.
typealias NodeID = Int

/// One compiled (sub)schema: its keywords in evaluation order (cheap assertions first,
/// `unevaluated*` last) and the schema resource it belongs to (for `$dynamicRef` scope).
struct SchemaNode: Sendable {
    var keywords: [Keyword] = []
    /// nil for object schemas; true/false for boolean schemas.
    var boolean: Bool?
    var resource: Int
    /// True when this node has `unevaluatedProperties`/`unevaluatedItems` and so must collect
    /// annotations from its in-place applicators.
    var tracksEvaluation = false
}

/// Instance types as a bit set; `integer` is a separate bit so `type: integer` can be tested
/// without parsing twice.
struct TypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1)
    static let boolean = TypeSet(rawValue: 2)
    static let integer = TypeSet(rawValue: 4)
    static let number = TypeSet(rawValue: 8)
    static let string = TypeSet(rawValue: 16)
    static let array = TypeSet(rawValue: 32)
    static let object = TypeSet(rawValue: 64)

    static func named(_ name: String) -> TypeSet? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "integer": return .integer
        case "number": return .number
        case "string": return .string
        case "array": return .array
        case "object": return .object
        default: return nil
        }
    }

    var names: String {
        let all: [(TypeSet, String)] = [(.null, "null"), (.boolean, "boolean"), (.integer, "integer"), (.number, "number"),
                                        (.string, "string"), (.array, "array"), (.object, "object")]
        return all.filter { contains($0.0) }.map(\.1).joined(separator: " or ")
    }
}

/// A numeric bound from the schema, pre-parsed both ways: Double for the common case, exact
/// decimal when either side has more than 15 significant digits.
struct NumberBound: Sendable {
    let text: String
    let double: Double
    let exact: ExactDecimal
    let doubleIsExact: Bool
    /// As a `multipleOf`: the divisor as an Int when it is a small integer (else 0).
    var integerDivisor = 0
    /// As a `multipleOf` with a fractional divisor d = m * 10^-scale (small m): m and scale.
    var scaledDivisor = 0
    var scale = 0

    init(text: String, double: Double, exact: ExactDecimal, doubleIsExact: Bool) {
        self.text = text
        self.double = double
        self.exact = exact
        self.doubleIsExact = doubleIsExact
        guard !exact.negative, !exact.isZero, exact.digits.count <= 15 else { return }
        var m = 0
        for d in exact.digits { m = m * 10 + Int(d) }
        if exact.exponent >= 0 {
            if exact.exponent <= 3 { for _ in 0..<exact.exponent { m *= 10 }; integerDivisor = m }
        } else if -exact.exponent <= 6 {
            scaledDivisor = m
            scale = -exact.exponent
        }
    }
}

enum BoundKind: Sendable {
    case minimum, maximum, exclusiveMinimum, exclusiveMaximum
    var name: String {
        switch self {
        case .minimum: return "minimum"
        case .maximum: return "maximum"
        case .exclusiveMinimum: return "exclusiveMinimum"
        case .exclusiveMaximum: return "exclusiveMaximum"
        }
    }
}

/// `properties` + `patternProperties` + `additionalProperties` of one schema, evaluated in one
/// pass over the instance's members.
struct PropertyApplicators: Sendable {
    var named: [(key: [UInt8], node: NodeID)] = []
    var patterns: [(regex: ECMARegex, source: String, node: NodeID)] = []
    var additional: NodeID?
}

enum Keyword: Sendable {
    case type(TypeSet)
    case constant(JSONValue)
    case enumeration([JSONValue])
    case bound(BoundKind, NumberBound)
    case multipleOf(NumberBound)
    case minLength(Int), maxLength(Int)
    case pattern(ECMARegex)
    case format(SchemaFormat)
    case minItems(Int), maxItems(Int), uniqueItems
    case minProperties(Int), maxProperties(Int)
    case required([[UInt8]])
    case dependentRequired([(key: [UInt8], required: [[UInt8]])])
    case properties(PropertyApplicators)
    case propertyNames(NodeID)
    case dependentSchemas([(key: [UInt8], node: NodeID)])
    case items(prefix: [NodeID], rest: NodeID?)
    case contains(NodeID, min: Int, max: Int?)
    case allOf([NodeID]), anyOf([NodeID]), oneOf([NodeID]), not(NodeID)
    case conditional(condition: NodeID, then: NodeID?, otherwise: NodeID?)
    case ref(NodeID)
    case dynamicRef(anchor: String, fallback: NodeID)
    case unevaluatedProperties(NodeID), unevaluatedItems(NodeID)

    var name: String {
        switch self {
        case .type: return "type"
        case .constant: return "const"
        case .enumeration: return "enum"
        case .bound(let kind, _): return kind.name
        case .multipleOf: return "multipleOf"
        case .minLength: return "minLength"
        case .maxLength: return "maxLength"
        case .pattern: return "pattern"
        case .format: return "format"
        case .minItems: return "minItems"
        case .maxItems: return "maxItems"
        case .uniqueItems: return "uniqueItems"
        case .minProperties: return "minProperties"
        case .maxProperties: return "maxProperties"
        case .required: return "required"
        case .dependentRequired: return "dependentRequired"
        case .properties: return "properties"
        case .propertyNames: return "propertyNames"
        case .dependentSchemas: return "dependentSchemas"
        case .items(let prefix, _): return prefix.isEmpty ? "items" : "prefixItems"
        case .contains: return "contains"
        case .allOf: return "allOf"
        case .anyOf: return "anyOf"
        case .oneOf: return "oneOf"
        case .not: return "not"
        case .conditional: return "if"
        case .ref: return "$ref"
        case .dynamicRef: return "$dynamicRef"
        case .unevaluatedProperties: return "unevaluatedProperties"
        case .unevaluatedItems: return "unevaluatedItems"
        }
    }
}
