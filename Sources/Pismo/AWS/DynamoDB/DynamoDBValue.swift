import PismoJSON
import Foundation

/// A DynamoDB AttributeValue, complete: numbers stay exact decimal strings (`N`, `NS`) because
/// DynamoDB numbers have 38 digits of precision that no Double holds.
public indirect enum DynamoDBValue: Sendable, Equatable, Hashable {
    case s(String)
    case n(String)
    case b([UInt8])
    case bool(Bool)
    case null
    case m([String: DynamoDBValue])
    case l([DynamoDBValue])
    case ss([String])
    case ns([String])
    case bs([[UInt8]])

    public var string: String? { if case .s(let v) = self { v } else { nil } }
    public var numberText: String? { if case .n(let v) = self { v } else { nil } }
    public var int64: Int64? { numberText.flatMap { Int64($0) } }
    public var map: [String: DynamoDBValue]? { if case .m(let v) = self { v } else { nil } }
    public var list: [DynamoDBValue]? { if case .l(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var binary: [UInt8]? { if case .b(let v) = self { v } else { nil } }
    public static func number(_ value: Int64) -> DynamoDBValue { .n(String(value)) }
}

public typealias DynamoDBItem = [String: DynamoDBValue]

extension DynamoDBValue {
    /// Streams `{"S":"…"}` etc. straight into the request writer (no intermediate tree).
    func write(into w: inout JSONWriter) {
        w.beginObject()
        switch self {
        case .s(let v): w.key("S"); w.string(v)
        case .n(let v): w.key("N"); w.string(v)
        case .b(let v): w.key("B"); w.string(Data(v).base64EncodedString())
        case .bool(let v): w.key("BOOL"); w.bool(v)
        case .null: w.key("NULL"); w.bool(true)
        case .m(let v): w.key("M"); Self.writeItem(v, into: &w)
        case .l(let v):
            w.key("L"); w.beginArray()
            for e in v { e.write(into: &w) }
            w.endArray()
        case .ss(let v): w.key("SS"); Self.writeStrings(v, into: &w)
        case .ns(let v): w.key("NS"); Self.writeStrings(v, into: &w)
        case .bs(let v): w.key("BS"); Self.writeStrings(v.map { Data($0).base64EncodedString() }, into: &w)
        }
        w.endObject()
    }

    static func writeItem(_ item: DynamoDBItem, into w: inout JSONWriter) {
        w.beginObject()
        for (name, value) in item {
            w.key(name)
            value.write(into: &w)
        }
        w.endObject()
    }

    private static func writeStrings(_ values: [String], into w: inout JSONWriter) {
        w.beginArray()
        for v in values { w.string(v) }
        w.endArray()
    }

    /// Decodes `{"S":"…"}` etc.; nil for anything that is not a one-member AttributeValue object.
    init?(json node: JSONNode) {
        guard let (type, v) = node.members.first(where: { _ in true }) else { return nil }
        switch type {
        case "S": guard let s = v.string else { return nil }; self = .s(s)
        case "N": guard let s = v.string ?? v.numberText else { return nil }; self = .n(s)
        case "B": guard let b = v.string.flatMap({ Data(base64Encoded: $0) }) else { return nil }; self = .b([UInt8](b))
        case "BOOL": guard let b = v.bool else { return nil }; self = .bool(b)
        case "NULL": self = .null
        case "M": guard let m = Self.readItem(v) else { return nil }; self = .m(m)
        case "L":
            var list: [DynamoDBValue] = []
            for e in v.elements { guard let x = DynamoDBValue(json: e) else { return nil }; list.append(x) }
            self = .l(list)
        case "SS": self = .ss(v.elements.compactMap(\.string))
        case "NS": self = .ns(v.elements.compactMap { $0.string ?? $0.numberText })
        case "BS": self = .bs(v.elements.compactMap { $0.string.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } })
        default: return nil
        }
    }

    static func readItem(_ node: JSONNode?) -> DynamoDBItem? {
        guard let node, node.kind == .object else { return nil }
        var item: DynamoDBItem = [:]
        for (name, value) in node.members {
            guard let v = DynamoDBValue(json: value) else { return nil }
            item[name] = v
        }
        return item
    }
}
