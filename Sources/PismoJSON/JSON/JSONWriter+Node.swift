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
        storage.bytes.withUnsafeBufferPointer { source in
            while true {
                while let top = stack.last, top.end == k {
                    if top.isObject { endObject() } else { endArray() }
                    stack.removeLast()
                    if let last = stack.indices.last, stack[last].isObject { stack[last].expectKey = true }
                }
                if k >= stop { return }
                let entry = tape[k]
                let kind = entry.info & TapeKind.kindMask
                k += 1
                if let last = stack.indices.last, stack[last].isObject, stack[last].expectKey {
                    separate()
                    appendString(entry, source)
                    bytes.append(UInt8(ascii: ":"))
                    needsComma = false
                    stack[last].expectKey = false
                    continue
                }
                switch kind {
                case TapeKind.array, TapeKind.object:
                    let isObject = kind == TapeKind.object
                    if isObject { beginObject() } else { beginArray() }
                    stack.append(Frame(end: Int(entry.next), isObject: isObject, expectKey: isObject))
                    continue
                case TapeKind.string:
                    separate()
                    appendString(entry, source)
                    needsComma = true
                case TapeKind.number:
                    raw(UnsafeBufferPointer(rebasing: source[Int(entry.start)..<Int(entry.end)]))
                case TapeKind.bool:
                    bool(entry.info & TapeKind.flag != 0)
                default:
                    null()
                }
                if let last = stack.indices.last, stack[last].isObject { stack[last].expectKey = true }
            }
        }
    }

    /// A string without escapes was validated by the parser to contain no quote, backslash or
    /// control character, so it is already in this writer's output form: copy it with its quotes.
    private mutating func appendString(_ entry: TapeEntry, _ source: UnsafeBufferPointer<UInt8>) {
        let content = UnsafeBufferPointer(rebasing: source[Int(entry.start)..<Int(entry.end)])
        if entry.info & TapeKind.flag == 0 && !escapeLineSeparators {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[Int(entry.start) - 1..<Int(entry.end) + 1]))
        } else if entry.info & TapeKind.flag == 0 {
            appendQuoted(utf8: content)
        } else {
            unescapeJSONString(content).withUnsafeBufferPointer { appendQuoted(utf8: $0) }
        }
    }
}
