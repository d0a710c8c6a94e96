#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The evaluator's view of an instance value: raw pointers to the parsed document's tape and
/// source bytes plus a tape index. Trivially copyable - no reference counting on the hot path
/// (copying a `JSONNode` retains its document, and the evaluator copies nodes constantly).
///
/// Only valid inside `Instance.with(_:_:)`, which keeps the document alive and its byte buffer
/// pinned for the duration of one validation call.
struct Instance {
    let tape: UnsafeMutablePointer<TapeEntry>
    let bytes: UnsafePointer<UInt8>
    let index: Int

    /// Runs `body` with an `Instance` for `node`.
    static func with<R>(_ node: JSONNode, _ body: (Instance) -> R) -> R {
        let storage = node.storage
        return withExtendedLifetime(storage) {
            storage.bytes.withUnsafeBufferPointer { source in
                // An empty document cannot exist (a value needs at least one byte).
                body(Instance(tape: storage.tape, bytes: source.baseAddress!, index: node.index))
            }
        }
    }

    @inline(__always) var entry: TapeEntry { tape[index] }
    @inline(__always) private var tapeKind: UInt32 { entry.info & TapeKind.kindMask }
    @inline(__always) private func child(_ i: Int) -> Instance { Instance(tape: tape, bytes: bytes, index: i) }

    @inline(__always)
    var kind: JSONKind {
        switch tapeKind {
        case TapeKind.null: return .null
        case TapeKind.bool: return .bool
        case TapeKind.number: return .number
        case TapeKind.string: return .string
        case TapeKind.array: return .array
        default: return .object
        }
    }

    var bool: Bool { entry.info & TapeKind.flag != 0 }

    /// Elements or members of a container, 0 otherwise.
    var count: Int {
        let kind = tapeKind
        guard kind == TapeKind.array || kind == TapeKind.object else { return 0 }
        return Int(entry.info >> TapeKind.countShift)
    }

    /// Source bytes between `start` and `end` (string content without quotes, number text).
    @inline(__always) private var source: UnsafeBufferPointer<UInt8> {
        let e = entry
        return UnsafeBufferPointer(start: bytes + Int(e.start), count: Int(e.end &- e.start))
    }

    /// The unescaped UTF-8 of a string (callers check `kind == .string` first).
    @inline(__always)
    func schemaStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if entry.info & TapeKind.flag == 0 { return body(source) }
        return unescapeJSONString(source).withUnsafeBufferPointer(body)
    }

    /// The source text of a number.
    @inline(__always)
    func withNumberBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { body(source) }

    /// Calls `body(position, keyBytes, value)` for each member in order until it returns false.
    @inline(__always)
    func forEachMember(_ body: (Int, UnsafeBufferPointer<UInt8>, Instance) -> Bool) {
        guard tapeKind == TapeKind.object else { return }
        let end = Int(entry.next)
        var k = index + 1
        var position = 0
        while k < end {
            let key = child(k)
            let go = key.schemaStringBytes { body(position, $0, child(k + 1)) }
            if !go { return }
            k = Int(tape[k + 1].next)
            position += 1
        }
    }

    /// Array elements in order.
    var elements: Elements { Elements(tape: tape, bytes: bytes, position: index + 1, end: tapeKind == TapeKind.array ? Int(entry.next) : 0) }

    struct Elements: Sequence, IteratorProtocol {
        let tape: UnsafeMutablePointer<TapeEntry>
        let bytes: UnsafePointer<UInt8>
        var position: Int
        let end: Int
        mutating func next() -> Instance? {
            guard position < end else { return nil }
            let current = position
            position = Int(tape[current].next)
            return Instance(tape: tape, bytes: bytes, index: current)
        }
    }

    func member(_ key: UnsafeBufferPointer<UInt8>) -> Instance? {
        var found: Instance?
        forEachMember { _, k, v in
            if k.count == key.count && (k.isEmpty || memoryEquals(k.baseAddress!, key.baseAddress!, k.count)) {
                found = v
                return false
            }
            return true
        }
        return found
    }


    func member(_ key: [UInt8]) -> Instance? { key.withUnsafeBufferPointer { member($0) } }

    func hasMember(_ key: UnsafeBufferPointer<UInt8>) -> Bool { member(key) != nil }
}

extension InstanceChecks {
    /// Runs `body` on a one-string document holding `key`, for `propertyNames` subschemas.
    static func withStringInstance<R>(_ key: UnsafeBufferPointer<UInt8>, _ body: (Instance) -> R) -> R {
        var text: [UInt8] = [0x22]
        for b in key {
            switch b {
            case 0x22: text += [0x5C, 0x22]
            case 0x5C: text += [0x5C, 0x5C]
            case 0..<0x20: text += Array("\\u00\(b < 16 ? "0" : "")\(String(b, radix: 16))".utf8)
            default: text.append(b)
            }
        }
        text.append(0x22)
        let document = (try? JSONDocument(bytes: text)) ?? (try! JSONDocument("\"\""))
        return Instance.with(document.root, body)
    }
}
