/// A parsed, validated, immutable JSON document: the source bytes plus a flat tape with one
/// entry per value (see `TapeEntry`). Parsing allocates exactly twice (tape + depth stack is on
/// the machine stack) no matter how many values the document holds; strings and numbers are
/// converted only when asked for. Safe to share across threads.
public struct JSONDocument: Sendable {
    @usableFromInline let storage: JSONStorage

    /// Parses `bytes` strictly per RFC 8259 (UTF-8 only). Throws `JSONParseError`.
    public init(bytes: [UInt8], options: JSONParseOptions = .init()) throws(JSONParseError) {
        guard bytes.count < Int(UInt32.max) else {
            throw JSONParseError(offset: Int(UInt32.max), reason: "document larger than 4 GiB", found: nil)
        }
        let depth = options.maxDepth
        let result: Result<TapeBuilder, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            // An empty array may have a nil base address; point at a dummy byte instead.
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
            var parser = JSONParser(base: base, count: buffer.count)
            return withUnsafeTemporaryAllocation(of: (index: Int, count: UInt32).self, capacity: depth + 1) {
                stack in
                do throws(JSONParseError) {
                    try parser.parse(maxDepth: depth, stack: stack.baseAddress!)
                    return .success(parser.tape)
                } catch {
                    parser.tape.base.deallocate()
                    return .failure(error)
                }
            }
        }
        switch result {
        case .success(let tape):
            storage = JSONStorage(bytes: bytes, tape: tape.base, tapeCount: tape.count)
        case .failure(let error):
            throw error
        }
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
