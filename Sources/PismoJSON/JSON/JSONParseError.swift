/// Limits applied while parsing. Values are copied into the parser; thread-safe.
public struct JSONParseOptions: Sendable {
    /// Maximum nesting of arrays and objects. Hostile input such as a million `[` must fail
    /// with an error rather than exhaust memory or the stack; 512 is far above any real event.
    public var maxDepth: Int

    public init(maxDepth: Int = 512) {
        self.maxDepth = max(1, maxDepth)
    }
}

/// Why a document was rejected: the byte offset where parsing stopped and a human reason.
///
/// `description` reads like "unexpected ',' at offset 17: trailing comma in object".
public struct JSONParseError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Byte offset into the source where the problem was detected.
    public var offset: Int
    /// What rule was broken, e.g. "trailing comma in object".
    public var reason: String
    /// The offending byte, or nil when the input ended early.
    public var found: UInt8?

    public init(offset: Int, reason: String, found: UInt8?) {
        self.offset = offset
        self.reason = reason
        self.found = found
    }

    public var description: String {
        guard let byte = found else {
            return "unexpected end of input at offset \(offset): \(reason)"
        }
        if byte >= 0x21 && byte < 0x7F {
            return "unexpected '\(Character(Unicode.Scalar(byte)))' at offset \(offset): \(reason)"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "unexpected byte 0x\(byte < 16 ? "0" : "")\(hex) at offset \(offset): \(reason)"
    }
}
