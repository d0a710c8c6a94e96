/// A schema that cannot be compiled: bad JSON, unknown `$ref`, invalid regex, unsupported
/// required vocabulary. `location` is the schema URI + JSON pointer of the offending keyword.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public let location: String
    public let reason: String
    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }
    public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
}

/// One failed assertion: where in the instance, which keyword (path from the root schema through
/// any `$ref`), and a short human message.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    public var instanceLocation: String
    public var keywordLocation: String
    public var message: String
    /// "/data: expected object, got string" (instance location "" is printed as "/").
    public var description: String { "\(instanceLocation.isEmpty ? "/" : instanceLocation): \(message)" }
}
