import PismoJSON

/// One DynamoDB attribute value kept as it arrived: its type tag and the raw JSON of its inner value
/// (`"abc"` for `{"S":"abc"}`, `"12"` for `{"N":"12"}`). Writing it back is a byte copy, so items,
/// GetItem answers and stream images never re-encode. Decoding happens only where a condition or a
/// key needs the value itself.
public struct AttributeValue: Sendable {
    public enum Kind: String, Sendable { case s = "S", n = "N", b = "B", bool = "BOOL", null = "NULL", m = "M", l = "L", ss = "SS", ns = "NS", bs = "BS" }
    public var kind: Kind
    public var raw: [UInt8]

    public init(kind: Kind, raw: [UInt8]) {
        self.kind = kind
        self.raw = raw
    }

    /// `{"S": "x"}` and friends; nil when the node is not a one-member object with a known type.
    public init?(_ node: JSONNode) {
        guard node.isObject, node.count == 1, let (key, value) = node.members.first(where: { _ in true }),
              let kind = Kind(rawValue: key) else { return nil }
        switch kind {
        case .s, .b: guard value.isString else { return nil }
        case .n: guard value.isString, let text = value.string, Self.isNumber(text) else { return nil }
        case .bool: guard value.isBool else { return nil }
        case .null: guard value.bool == true else { return nil }
        case .m: guard value.isObject else { return nil }
        case .l, .ss, .ns, .bs: guard value.isArray else { return nil }
        }
        self.kind = kind
        self.raw = Array(value.rawBytes)
    }

    public static func string(_ s: String) -> AttributeValue {
        var w = JSONWriter(capacity: s.utf8.count + 2)
        w.string(s)
        return AttributeValue(kind: .s, raw: w.bytes)
    }

    public static func number(_ text: String) -> AttributeValue {
        var w = JSONWriter(capacity: text.utf8.count + 2)
        w.string(text)
        return AttributeValue(kind: .n, raw: w.bytes)
    }

    /// The decoded text of S, N and B (base64) values.
    public var text: String? {
        guard kind == .s || kind == .n || kind == .b else { return nil }
        if !raw.contains(UInt8(ascii: "\\")) { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
        return (try? JSONDocument(bytes: raw))?.root.string
    }

    public func write(into w: inout JSONWriter) {
        w.beginObject()
        w.key(kind.rawValue)
        w.raw(raw)
        w.endObject()
    }

    /// DynamoDB's own size rule (name bytes + value bytes), good enough for SizeBytes and the 400 KB check.
    public var approximateSize: Int { raw.count }

    /// DynamoDB equality: same type and same value; numbers compare by value (`1.0` = `1`).
    public func equals(_ other: AttributeValue) -> Bool {
        guard kind == other.kind else { return false }
        if raw == other.raw { return true }
        switch kind {
        case .n: return NumberText.compare(text ?? "", other.text ?? "") == 0
        case .s, .b: return text == other.text
        default: return false  // sets, maps and lists: byte equality only (fakeaws does not normalise them)
        }
    }

    /// Ordering for <, <=, >, >=, BETWEEN: defined for N (by value), S and B (by UTF-8 bytes).
    /// nil when the two are not comparable (different types, or not scalar), which makes the
    /// comparison false, as in DynamoDB.
    public func compare(_ other: AttributeValue) -> Int? {
        guard kind == other.kind else { return nil }
        switch kind {
        case .n: return NumberText.compare(text ?? "", other.text ?? "")
        case .s, .b:
            let a = Array((text ?? "").utf8), b = Array((other.text ?? "").utf8)
            return a.lexicographicallyPrecedes(b) ? -1 : (a == b ? 0 : 1)
        default: return nil
        }
    }

    static func isNumber(_ text: String) -> Bool { NumberText.parse(text) != nil }
}
