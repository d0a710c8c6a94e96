/// The six JSON value types.
public enum JSONKind: Sendable, Hashable, CaseIterable {
    case null, bool, number, string, array, object
}

/// A cursor to one value in a `JSONDocument`: the document's storage plus a tape index.
/// Copying it costs one reference-count increment; it keeps the document alive.
/// Immutable and safe to share across threads.
public struct JSONNode: Sendable {
    @usableFromInline let storage: JSONStorage
    @usableFromInline let index: Int

    @inlinable init(storage: JSONStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    @inlinable var entry: TapeEntry { storage.tape[index] }

    @inlinable var tapeKind: UInt32 { entry.info & TapeKind.kindMask }

    @inlinable var hasFlag: Bool { entry.info & TapeKind.flag != 0 }

    public var kind: JSONKind {
        switch tapeKind {
        case TapeKind.null: return .null
        case TapeKind.bool: return .bool
        case TapeKind.number: return .number
        case TapeKind.string: return .string
        case TapeKind.array: return .array
        default: return .object
        }
    }

    @inlinable public var isNull: Bool { tapeKind == TapeKind.null }
    @inlinable public var isString: Bool { tapeKind == TapeKind.string }
    @inlinable public var isNumber: Bool { tapeKind == TapeKind.number }
    @inlinable public var isArray: Bool { tapeKind == TapeKind.array }
    @inlinable public var isObject: Bool { tapeKind == TapeKind.object }
    @inlinable public var isBool: Bool { tapeKind == TapeKind.bool }

    public var bool: Bool? {
        tapeKind == TapeKind.bool ? hasFlag : nil
    }

    /// Array elements or object members; 0 for scalars. O(1).
    @inlinable public var count: Int {
        let info = entry.info
        let kind = info & TapeKind.kindMask
        guard kind == TapeKind.array || kind == TapeKind.object else { return 0 }
        return Int(info >> TapeKind.countShift)
    }

    /// This value's bytes in the source, including quotes for strings. Splicing these bytes
    /// into another document reproduces the value byte for byte.
    public var rawRange: Range<Int> {
        let e = entry
        if e.info & TapeKind.kindMask == TapeKind.string {
            return Int(e.start) - 1..<Int(e.end) + 1
        }
        return Int(e.start)..<Int(e.end)
    }

    /// The source bytes of `rawRange`.
    public var rawBytes: ArraySlice<UInt8> { storage.bytes[rawRange] }

    /// Index of the first child, or of the next sibling for scalars.
    @inlinable var firstChildIndex: Int { index + 1 }

    /// Tape index after this node's subtree.
    @inlinable var nextIndex: Int { Int(entry.next) }

    /// Object member with this key (first match), or nil if absent or not an object.
    public subscript(key: String) -> JSONNode? {
        guard tapeKind == TapeKind.object else { return nil }
        var key = key
        return key.withUTF8 { keyBytes in memberValue(forKeyBytes: keyBytes) }
    }

    /// Same as `node["key"]`, spelled `node[key: "key"]` (both forms are in use).
    public subscript(key key: String) -> JSONNode? {
        self[key]
    }

    /// Object member whose key equals the given UTF-8 bytes (first match). Does not allocate.
    public func memberValue(forKeyBytes keyBytes: UnsafeBufferPointer<UInt8>) -> JSONNode? {
        guard tapeKind == TapeKind.object else { return nil }
        let tape = storage.tape
        var k = index + 1
        let end = nextIndex
        while k < end {
            if JSONNode(storage: storage, index: k).stringEquals(utf8: keyBytes) {
                return JSONNode(storage: storage, index: k + 1)
            }
            k = Int(tape[k + 1].next)
        }
        return nil
    }

    /// Array element at `index`, or nil if out of range or not an array. O(index).
    public subscript(index: Int) -> JSONNode? {
        guard tapeKind == TapeKind.array, index >= 0, index < count else { return nil }
        var k = self.index + 1
        for _ in 0..<index { k = Int(storage.tape[k].next) }
        return JSONNode(storage: storage, index: k)
    }
}

extension JSONNode: CustomStringConvertible {
    /// The value's source text, exactly as it appears in the document.
    public var description: String { String(decoding: rawBytes, as: UTF8.self) }
}
