/// DynamoDB's own accounting of item sizes (the 400 KB limit), per the developer guide's
/// "Item sizes and formats": names and values in UTF-8 bytes, numbers about one byte per two
/// significant digits plus one, 1 byte for booleans and nulls, 3 bytes of overhead per list or map
/// plus 1 byte per element.
extension DynamoDBValue {
    public var dynamoDBSize: Int {
        switch self {
        case let .s(text): text.utf8.count
        case let .n(text): Self.numberSize(text)
        case let .b(bytes): bytes.count
        case .bool, .null: 1
        case let .ss(values): values.reduce(0) { $0 + $1.utf8.count }
        case let .ns(values): values.reduce(0) { $0 + Self.numberSize($1) }
        case let .bs(values): values.reduce(0) { $0 + $1.count }
        case let .l(values): 3 + values.reduce(0) { $0 + 1 + $1.dynamoDBSize }
        case let .m(entries): 3 + entries.reduce(0) { $0 + 1 + $1.key.utf8.count + $1.value.dynamoDBSize }
        }
    }

    private static func numberSize(_ text: String) -> Int {
        let significant = text.utf8.drop { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") }
            .filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        return (significant + 1) / 2 + 1
    }
}

extension Dictionary where Key == String, Value == DynamoDBValue {
    /// The item's size as DynamoDB counts it against its 400 KB limit.
    public var dynamoDBSize: Int { reduce(0) { $0 + $1.key.utf8.count + $1.value.dynamoDBSize } }
}
