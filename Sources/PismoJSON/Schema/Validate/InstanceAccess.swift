#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few instance operations the evaluator needs, in allocation-free form: a string's UTF-8
/// bytes, a number's source text, member iteration with key bytes, and key lookup by bytes.
/// (This file is the only place that knows how `JSONNode` stores its text.)
extension JSONNode {
    @inline(__always)
    func withStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let raw = shimRawString
        if !raw.escaped {
            return shimBytes.withUnsafeBufferPointer { all in
                body(UnsafeBufferPointer(rebasing: all[raw.range]))
            }
        }
        var decoded = string ?? ""
        return decoded.withUTF8(body)
    }

    @inline(__always)
    func withNumberBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let raw = shimRawString
        return shimBytes.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[raw.range])) }
    }

    /// Calls `body(index, keyBytes, value)` for each member in document order until it returns false.
    @inline(__always)
    func forEachMember(_ body: (Int, UnsafeBufferPointer<UInt8>, JSONNode) -> Bool) {
        guard kind == .object else { return }
        var (i, n) = shimMemberIndices
        for index in 0..<n {
            let keyNode = JSONNode(storage: storage, index: i)
            let value = JSONNode(storage: storage, index: i + 1)
            let go = keyNode.withStringBytes { body(index, $0, value) }
            if !go { return }
            i = storage.tape[i + 1].next
            n = n + 0
        }
    }

    func member(_ key: UnsafeBufferPointer<UInt8>) -> JSONNode? {
        var found: JSONNode?
        forEachMember { _, k, v in
            if k.count == key.count && (key.isEmpty || memcmp(k.baseAddress!, key.baseAddress!, key.count) == 0) {
                found = v
                return false
            }
            return true
        }
        return found
    }

    func member(_ key: [UInt8]) -> JSONNode? { key.withUnsafeBufferPointer { member($0) } }

    func hasMember(_ key: UnsafeBufferPointer<UInt8>) -> Bool { member(key) != nil }
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
