/// A parsed, validated, immutable JSON document: the source bytes plus a flat tape with one
/// entry per value (see `TapeEntry`). Parsing allocates the tape and one storage object (the
/// depth stack lives on the machine stack) however many values there are; strings and numbers are
/// converted only when asked for. Safe to share across threads.
public struct JSONDocument: Sendable {
    @usableFromInline let storage: JSONStorage

    /// Parses `bytes` strictly per RFC 8259 (UTF-8 only). Throws `JSONParseError`.
    public init(bytes: [UInt8], options: JSONParseOptions = .init()) throws(JSONParseError) {
        guard bytes.count < Int(UInt32.max) else {
            throw JSONParseError(offset: Int(UInt32.max), reason: "document larger than 4 GiB", found: nil)
        }
        let depth = max(0, options.maxDepth)  // the field is public; never trust it to be positive
        let result = bytes.withUnsafeBufferPointer { buffer in
            JSONParser.run(buffer, maxDepth: depth)
        }
        switch result {
        case .success(let tape):
            storage = JSONStorage(bytes: bytes, tape: tape.base, tapeCount: tape.count)
        case .failure(let error):
            throw error
        }
    }

    /// Parses any byte collection (e.g. an `ArraySlice` of an HTTP body); copies it once.
    public init(bytes: some Collection<UInt8>, options: JSONParseOptions = .init()) throws(JSONParseError) {
        try self.init(bytes: Array(bytes), options: options)
    }

    /// Parses the UTF-8 encoding of `text`.
    public init(_ text: String, options: JSONParseOptions = .init()) throws(JSONParseError) {
        try self.init(bytes: Array(text.utf8), options: options)
    }

    /// The source the document was parsed from, unchanged.
    public var bytes: [UInt8] { storage.bytes }

    /// The top-level value.
    public var root: JSONNode { JSONNode(storage: storage, index: 0) }

    /// Number of tape entries (values, including object keys). Useful for sizing and tests.
    public var nodeCount: Int { storage.tapeCount }
}
