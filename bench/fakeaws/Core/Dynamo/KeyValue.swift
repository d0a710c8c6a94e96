/// A key attribute's value as a dictionary key and sort key: S and B by their bytes, N by value
/// (so `1` and `1.0` are the same key, as in DynamoDB).
public struct KeyValue: Hashable, Comparable, Sendable {
    public var kind: AttributeValue.Kind
    /// S: the string; B: the base64 text; N: a canonical spelling (equal numbers, equal text).
    public var text: String

    /// The one key of a table without a sort key.
    static let none = KeyValue(kind: .null, text: "")

    init(kind: AttributeValue.Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    init?(_ value: AttributeValue) {
        guard value.kind == .s || value.kind == .n || value.kind == .b, let text = value.text else { return nil }
        kind = value.kind
        if value.kind == .n, let parsed = NumberText.parse(text) {
            self.text = (parsed.negative ? "-" : "") + parsed.digits.map(String.init).joined() + "e\(parsed.exponent)"
            numberText = text
        } else {
            self.text = text
        }
    }

    /// N keys keep one original spelling to compare by value.
    private var numberText: String?

    public static func == (a: KeyValue, b: KeyValue) -> Bool { a.kind == b.kind && a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(kind.rawValue); h.combine(text) }

    public static func < (a: KeyValue, b: KeyValue) -> Bool {
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        if a.kind == .n { return NumberText.compare(a.numberText ?? "0", b.numberText ?? "0") < 0 }
        return a.text.utf8.lexicographicallyPrecedes(b.text.utf8)
    }

    /// FNV-1a: which stream shard and which Scan segment a partition belongs to.
    var stableHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
