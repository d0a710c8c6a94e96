import PismoJSON

/// An item: attributes in the order they were written (a handful each, so a linear search beats
/// hashing), with its JSON encoding kept ready for GetItem, Query and stream images.
public struct Item: Sendable {
    public private(set) var attributes: [(name: String, value: AttributeValue)]
    public private(set) var encoded: [UInt8]

    public init(_ attributes: [(name: String, value: AttributeValue)]) {
        self.attributes = attributes
        self.encoded = []
        encode()
    }

    /// `{"name": {"S": ...}, ...}`; nil (with the offending member) when a value is malformed.
    public static func parse(_ node: JSONNode?) -> Result<Item, FakeError>? {
        guard let node else { return nil }
        guard node.isObject else { return .failure(.validation("an item or key must be a map")) }
        var attributes: [(name: String, value: AttributeValue)] = []
        attributes.reserveCapacity(node.count)
        for (name, value) in node.members {
            guard let attribute = AttributeValue(value) else {
                return .failure(.validation("Supplied AttributeValue is empty or malformed for attribute \(name)"))
            }
            attributes.append((name, attribute))
        }
        return .success(Item(attributes))
    }

    public subscript(_ name: String) -> AttributeValue? {
        attributes.first { $0.name == name }?.value
    }

    public mutating func set(_ name: String, _ value: AttributeValue) {
        if let i = attributes.firstIndex(where: { $0.name == name }) { attributes[i].value = value } else { attributes.append((name, value)) }
        encode()
    }

    public mutating func remove(_ name: String) {
        attributes.removeAll { $0.name == name }
        encode()
    }

    /// Same attributes with equal values, in any order (a write that changes nothing makes no stream record).
    public func sameContent(as other: Item) -> Bool {
        guard attributes.count == other.attributes.count else { return false }
        if encoded == other.encoded { return true }
        return attributes.allSatisfy { a in other[a.name].map { $0.kind == a.value.kind && $0.raw == a.value.raw } ?? false }
    }

    /// Only the named attributes (ProjectionExpression), in item order.
    public func projected(_ names: [String]) -> Item {
        Item(attributes.filter { names.contains($0.name) })
    }

    public var approximateSize: Int { attributes.reduce(0) { $0 + $1.name.utf8.count + $1.value.approximateSize } }

    private mutating func encode() {
        var w = JSONWriter(capacity: 64 + approximateSize + 12 * attributes.count)
        w.beginObject()
        for (name, value) in attributes {
            w.key(name)
            value.write(into: &w)
        }
        w.endObject()
        encoded = w.bytes
    }
}
