/// JSON Schema equality (for const, enum, uniqueItems): same type, numbers by mathematical value
/// (1 == 1.0 == 1e0), strings by code points, arrays element-wise, objects by key set and values.
enum JSONEquality {
    static func equal(_ node: Instance, _ value: JSONValue) -> Bool {
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.bool, .bool(let b)): return node.bool == b
        case (.number, .number(let text)):
            return node.withNumberBytes { bytes in
                if utf8Equal(text, bytes) { return true }
                guard let a = ExactDecimal(text: bytes), let b = ExactDecimal(text) else { return false }
                return ExactDecimal.compare(a, b) == 0
            }
        case (.string, .string(let s)):
            return node.schemaStringBytes { utf8Equal(s, $0) }
        case (.array, .array(let items)):
            guard node.count == items.count else { return false }
            var i = 0
            for element in node.elements {
                if !equal(element, items[i]) { return false }
                i += 1
            }
            return true
        case (.object, .object(let members)):
            guard node.count == members.count else { return false }
            for m in members {
                guard let child = node.member(Array(m.key.utf8)), equal(child, m.value) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Compares a schema string with instance bytes without copying (native strings are
    /// contiguous UTF-8).
    @inline(__always)
    private static func utf8Equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.utf8.count == bytes.count else { return false }
        if let result = s.utf8.withContiguousStorageIfAvailable({ mine in
            mine.isEmpty || memoryEquals(mine.baseAddress!, bytes.baseAddress!, bytes.count)
        }) { return result }
        return s.utf8.elementsEqual(bytes)
    }

    static func equal(_ a: Instance, _ b: Instance) -> Bool {
        guard a.kind == b.kind else { return false }
        switch a.kind {
        case .null: return true
        case .bool: return a.bool == b.bool
        case .number:
            return a.withNumberBytes { x in
                b.withNumberBytes { y in
                    guard let p = ExactDecimal(text: x), let q = ExactDecimal(text: y) else { return false }
                    return ExactDecimal.compare(p, q) == 0
                }
            }
        case .string:
            return a.schemaStringBytes { x in b.schemaStringBytes { y in x.count == y.count && zip(x, y).allSatisfy { $0 == $1 } } }
        case .array:
            guard a.count == b.count else { return false }
            for (x, y) in zip(a.elements, b.elements) where !equal(x, y) { return false }
            return true
        case .object:
            guard a.count == b.count else { return false }
            var ok = true
            a.forEachMember { _, key, value in
                guard let other = b.member(Array(key)), equal(value, other) else { ok = false; return false }
                return true
            }
            return ok
        }
    }
}
