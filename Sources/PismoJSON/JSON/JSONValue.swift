/// One object member; objects are arrays of members so key order (and duplicates) survive.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON value as an ordinary Swift tree: convenient for building requests and for tests,
/// slower than `JSONDocument`/`JSONWriter` on hot paths. Numbers keep their exact text.
/// Equality is structural and order-sensitive; numbers compare by text ("1.0" != "1").
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// Builds the tree for a parsed value (recursion is bounded by the parser's depth limit).
    public init(_ node: JSONNode) {
        switch node.kind {
        case .null: self = .null
        case .bool: self = .bool(node.bool ?? false)
        case .number: self = .number(node.numberText ?? "0")
        case .string: self = .string(node.string ?? "")
        case .array: self = .array(node.elements.map(JSONValue.init))
        case .object:
            self = .object(node.memberNodes.map { JSONMember(key: $0.key.string ?? "", value: JSONValue($0.value)) })
        }
    }

    /// Parses `text` into a tree.
    public init(parsing text: String, options: JSONParseOptions = .init()) throws(JSONParseError) {
        self.init(try JSONDocument(text, options: options).root)
    }

    /// Compact UTF-8 JSON.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// Compact JSON as a String.
    public var encodedString: String { String(decoding: encoded(), as: UTF8.self) }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let b): writer.bool(b)
        case .number(let text): writer.number(text: text)
        case .string(let s): writer.string(s)
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for member in members {
                writer.key(member.key)
                member.value.write(to: &writer)
            }
            writer.endObject()
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The number's exact text.
    public var numberText: String? { if case .number(let t) = self { t } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var intValue: Int? { if case .number(let t) = self { Int(t) } else { nil } }
    public var doubleValue: Double? { if case .number(let t) = self { Double(t) } else { nil } }
    public var objectValue: [JSONMember]? { if case .object(let m) = self { m } else { nil } }
    public var isNull: Bool { self == .null }

    /// First member with this key, if this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Element at `index`, if this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    /// JSON has no NaN or infinity; those become `.null`, as `JSONWriter.double` writes them.
    public init(floatLiteral value: Double) { self = value.isFinite ? .number(value.description) : .null }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keeps the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { JSONMember(key: $0.0, value: $0.1) })
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { encodedString }
}

extension JSONNode {
    /// This value as a `JSONValue` tree (allocates; for compile-time and test code).
    public var value: JSONValue { JSONValue(self) }
}
