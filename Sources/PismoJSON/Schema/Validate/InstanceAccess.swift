#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few instance operations the evaluator needs, in allocation-free form: a string's UTF-8
/// bytes, a number's source text, member iteration with key bytes, and key lookup by bytes.
/// Reads the reader's tape directly (same module), so iterating an object creates no
/// intermediate `JSONNode`s for keys and touches the document's reference count once.
extension JSONNode {
    /// The unescaped UTF-8 of a string node (callers check `kind == .string` first).
    @inline(__always)
    func schemaStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let e = entry
        if e.info & TapeKind.flag == 0 {
            return storage.bytes.withUnsafeBufferPointer { source in
                body(UnsafeBufferPointer(rebasing: source[Int(e.start)..<Int(e.end)]))
            }
        }
        let unescaped = withSourceContent { unescapeJSONString($0) }
        return unescaped.withUnsafeBufferPointer(body)
    }

    /// The source text of a number node.
    @inline(__always)
    func withNumberBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withSourceContent(body)
    }

    /// Calls `body(index, keyBytes, value)` for each member in document order until it returns false.
    @inline(__always)
    func forEachMember(_ body: (Int, UnsafeBufferPointer<UInt8>, JSONNode) -> Bool) {
        guard isObject else { return }
        let tape = storage.tape
        let end = nextIndex
        var k = index + 1
        var position = 0
        storage.bytes.withUnsafeBufferPointer { source in
            while k < end {
                let key = tape[k]
                let value = JSONNode(storage: storage, index: k + 1)
                let go: Bool
                if key.info & TapeKind.flag == 0 {
                    go = body(position, UnsafeBufferPointer(rebasing: source[Int(key.start)..<Int(key.end)]), value)
                } else {
                    let unescaped = unescapeJSONString(UnsafeBufferPointer(rebasing: source[Int(key.start)..<Int(key.end)]))
                    go = unescaped.withUnsafeBufferPointer { body(position, $0, value) }
                }
                if !go { return }
                k = Int(tape[k + 1].next)
                position += 1
            }
        }
    }

    func member(_ key: UnsafeBufferPointer<UInt8>) -> JSONNode? { memberValue(forKeyBytes: key) }

    func member(_ key: [UInt8]) -> JSONNode? { key.withUnsafeBufferPointer { memberValue(forKeyBytes: $0) } }

    func hasMember(_ key: UnsafeBufferPointer<UInt8>) -> Bool { memberValue(forKeyBytes: key) != nil }
}

extension InstanceChecks {
    /// A one-string document, for running `propertyNames` subschemas on a key.
    static func stringDocument(_ key: UnsafeBufferPointer<UInt8>) -> JSONDocument {
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
        return (try? JSONDocument(bytes: text)) ?? (try! JSONDocument("\"\""))
    }
}
