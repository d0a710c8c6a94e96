/// JSON Schema equality (for const, enum, uniqueItems): same type, numbers by mathematical value
/// (1 == 1.0 == 1e0), strings by code points, arrays element-wise, objects by key set and values.
enum JSONEquality {
    static func equal(_ node: JSONNode, _ value: JSONValue) -> Bool {
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.bool, .bool(let b)): return node.bool == b
        case (.number, .number(let text)):
            return node.withNumberBytes { bytes in
                if InstanceChecks.bytesEqual(Array(text.utf8), bytes) { return true }
                guard let a = DecimalNumber(text: bytes), let b = DecimalNumber(text) else { return false }
                return DecimalNumber.compare(a, b) == 0
            }
        case (.string, .string(let s)):
            return node.withStringBytes { InstanceChecks.bytesEqual(Array(s.utf8), $0) }
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

    static func equal(_ a: JSONNode, _ b: JSONNode) -> Bool {
        guard a.kind == b.kind else { return false }
        switch a.kind {
        case .null: return true
        case .bool: return a.bool == b.bool
        case .number:
            return a.withNumberBytes { x in
                b.withNumberBytes { y in
                    guard let p = DecimalNumber(text: x), let q = DecimalNumber(text: y) else { return false }
                    return DecimalNumber.compare(p, q) == 0
                }
            }
        case .string:
            return a.withStringBytes { x in b.withStringBytes { y in x.count == y.count && zip(x, y).allSatisfy { $0 == $1 } } }
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
