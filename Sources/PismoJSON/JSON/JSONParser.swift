/// One level of the parser's explicit nesting stack.
struct OpenContainer {
    var index: Int
    var count: UInt32
    var isObject: Bool
}

/// Single-pass, non-recursive RFC 8259 parser that fills a `TapeBuilder`.
///
/// Nesting is tracked on an explicit stack bounded by `maxDepth`, so hostile input cannot
/// overflow the call stack. Scalars are validated but not converted: strings and numbers stay
/// as byte ranges in the source until a caller asks for them.
struct JSONParser {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    var tape: TapeBuilder

    init(base: UnsafePointer<UInt8>, count: Int) {
        p = base
        n = count
        tape = TapeBuilder(sourceLength: count)
    }

    /// Parses `buffer`; on success the caller owns the returned tape (and must deallocate it).
    static func run(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<TapeBuilder, JSONParseError> {
        // An empty buffer may have a nil base address; it is never dereferenced (count 0).
        let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        var parser = JSONParser(base: base, count: buffer.count)
        return withUnsafeTemporaryAllocation(of: OpenContainer.self, capacity: maxDepth + 1) { stack in
            do throws(JSONParseError) {
                try parser.parse(maxDepth: maxDepth, stack: stack.baseAddress!)
                return .success(parser.tape)
            } catch {
                parser.tape.base.deallocate()
                return .failure(error)
            }
        }
    }

    @inline(__always)
    func fail(_ offset: Int, _ reason: String) -> JSONParseError {
        JSONParseError(offset: offset, reason: reason, found: offset < n ? p[offset] : nil)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            // Everything above ' ' ends the run; below it only the four JSON blanks continue.
            if c > 0x20 || (c != 0x20 && c != 0x0A && c != 0x0D && c != 0x09) { return }
            i &+= 1
        }
    }

    /// Parses the whole input. `stack` holds (tape index of open container, member count).
    mutating func parse(maxDepth: Int, stack: UnsafeMutablePointer<OpenContainer>)
        throws(JSONParseError)
    {
        var depth = 0
        valueLoop: while true {
            skipWhitespace()
            guard i < n else { throw fail(i, "expected a value") }
            let c = p[i]
            switch c {
            case UInt8(ascii: "\""):
                try scanString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < maxDepth else { throw fail(i, "nesting deeper than \(maxDepth)") }
                let isObject = c == UInt8(ascii: "{")
                let index = tape.append(start: i, end: i, info: isObject ? TapeKind.object : TapeKind.array)
                stack[depth] = OpenContainer(index: index, count: 0, isObject: isObject)
                depth += 1
                i += 1
                skipWhitespace()
                if i < n && p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    depth -= 1
                    close(index, count: 0)
                } else {
                    if isObject { try scanKeyAndColon() }
                    continue valueLoop
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try scanNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                try scanLiteral()
            default:
                throw fail(i, "expected a value")
            }
            // A value just ended: climb out of as many containers as it closes.
            while true {
                if depth == 0 {
                    skipWhitespace()
                    if i != n { throw fail(i, "only whitespace may follow the value") }
                    return
                }
                skipWhitespace()
                let top = depth - 1
                stack[top].count &+= 1
                guard stack[top].count <= TapeKind.maxCount else { throw fail(i, "too many members") }
                let isObject = stack[top].isObject
                guard i < n else {
                    throw fail(i, isObject ? "unterminated object" : "unterminated array")
                }
                let d = p[i]
                if d == UInt8(ascii: ",") {
                    let comma = i
                    i += 1
                    skipWhitespace()
                    if isObject {
                        if i < n && p[i] == UInt8(ascii: "}") { throw fail(comma, "trailing comma in object") }
                        try scanKeyAndColon()
                    } else if i < n && p[i] == UInt8(ascii: "]") {
                        throw fail(comma, "trailing comma in array")
                    }
                    continue valueLoop
                }
                if d == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    depth = top
                    close(stack[top].index, count: stack[top].count)
                    continue
                }
                throw fail(i, isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element")
            }
        }
    }

    /// `i` is at the closing bracket of the container at tape `index`.
    @inline(__always)
    mutating func close(_ index: Int, count: UInt32) {
        i += 1
        let entry = tape.base + index
        entry.pointee.end = UInt32(truncatingIfNeeded: i)
        entry.pointee.next = UInt32(truncatingIfNeeded: tape.count)
        entry.pointee.info |= count << TapeKind.countShift
    }

    /// After '{' or ',' inside an object (whitespace already skipped): `"key"` then `:`.
    @inline(__always)
    mutating func scanKeyAndColon() throws(JSONParseError) {
        guard i < n, p[i] == UInt8(ascii: "\"") else {
            throw fail(i, "expected a string key")
        }
        try scanString()
        skipWhitespace()
        guard i < n, p[i] == UInt8(ascii: ":") else { throw fail(i, "expected ':' after object key") }
        i += 1
    }
}
