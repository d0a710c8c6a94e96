/// Re-encoding a parsed value in canonical compact form (whitespace dropped, strings
/// re-escaped by this writer's rules, numbers kept as their exact text). Unlike `value(_:)`,
/// which splices the source bytes, this rewrites every token.
extension JSONWriter {
    private struct Frame {
        let end: Int
        let isObject: Bool
        var expectKey: Bool
    }

    /// Writes `node` token by token. Walks the tape linearly with an explicit stack, so the
    /// cost is O(nodes) and depth is limited only by memory, not by the call stack.
    public mutating func encode(_ node: JSONNode) {
        let storage = node.storage
        let tape = storage.tape
        var stack: [Frame] = []
        var k = node.index
        let stop = node.nextIndex
        while true {
            while let top = stack.last, top.end == k {
                if top.isObject { endObject() } else { endArray() }
                stack.removeLast()
                if !stack.isEmpty && stack[stack.count - 1].isObject { stack[stack.count - 1].expectKey = true }
            }
            if k >= stop { return }
            let current = JSONNode(storage: storage, index: k)
            if let top = stack.last, top.isObject, top.expectKey {
                current.withStringBytes { key(utf8: $0) }
                stack[stack.count - 1].expectKey = false
                k += 1
                continue
            }
            let kind = tape[k].info & TapeKind.kindMask
            k += 1
            switch kind {
            case TapeKind.array, TapeKind.object:
                let isObject = kind == TapeKind.object
                if isObject { beginObject() } else { beginArray() }
                stack.append(Frame(end: Int(tape[k - 1].next), isObject: isObject, expectKey: isObject))
                continue
            case TapeKind.string:
                current.withStringBytes { string(utf8: $0) }
            case TapeKind.number:
                raw(current.rawBytes)
            case TapeKind.bool:
                bool(current.hasFlag)
            default:
                null()
            }
            if !stack.isEmpty && stack[stack.count - 1].isObject { stack[stack.count - 1].expectKey = true }
        }
    }
}
