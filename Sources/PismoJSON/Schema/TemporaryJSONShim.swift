// TEMPORARY: a minimal stand-in for the JSON reader being written on branch `json`, with the
// same planned public names, so the schema validator can be built and tested before it lands.
// Deleted when `json` is merged into this branch.

public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "JSON parse error at \(offset): \(reason)" }
}

public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
}

public indirect enum JSONValue: Sendable, Equatable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([JSONMember])
}

final class ShimStorage: @unchecked Sendable {
    struct Entry {
        var kind: JSONNode.Kind
        var start: Int, end: Int   // strings: content bytes; numbers: text; containers: unused
        var next: Int              // tape index after this subtree
        var count: Int
        var escaped: Bool
    }
    var bytes: [UInt8]
    var tape: [Entry] = []
    init(bytes: [UInt8]) { self.bytes = bytes }
}

public struct JSONDocument: @unchecked Sendable {
    let storage: ShimStorage
    public init(bytes: [UInt8]) throws(JSONParseError) {
        storage = ShimStorage(bytes: bytes)
        var p = ShimParser(s: storage)
        try p.parseDocument()
    }
    public init(_ text: String) throws(JSONParseError) { try self.init(bytes: Array(text.utf8)) }
    public var root: JSONNode { JSONNode(storage: storage, index: 0) }
}

public struct JSONNode: @unchecked Sendable {
    public enum Kind: Sendable, Equatable { case null, bool, number, string, array, object }
    let storage: ShimStorage
    let index: Int
    var entry: ShimStorage.Entry { storage.tape[index] }
    public var kind: Kind { entry.kind }
    public var bool: Bool? { kind == .bool ? storage.bytes[entry.start] == UInt8(ascii: "t") : nil }
    public var count: Int { entry.count }
    public var numberText: String? { kind == .number ? String(decoding: storage.bytes[entry.start..<entry.end], as: UTF8.self) : nil }
    public var string: String? {
        guard kind == .string else { return nil }
        let e = entry
        if !e.escaped { return String(decoding: storage.bytes[e.start..<e.end], as: UTF8.self) }
        return ShimParser.unescape(storage.bytes[e.start..<e.end])
    }
    public var elements: [JSONNode] {
        var out: [JSONNode] = []
        guard kind == .array else { return out }
        var i = index + 1
        for _ in 0..<entry.count { out.append(JSONNode(storage: storage, index: i)); i = storage.tape[i].next }
        return out
    }
    public var members: [(key: String, value: JSONNode)] {
        var out: [(key: String, value: JSONNode)] = []
        guard kind == .object else { return out }
        var i = index + 1
        for _ in 0..<entry.count {
            let key = JSONNode(storage: storage, index: i).string!
            let value = JSONNode(storage: storage, index: i + 1)
            out.append((key, value))
            i = storage.tape[i + 1].next
        }
        return out
    }
    public var value: JSONValue {
        switch kind {
        case .null: return .null
        case .bool: return .bool(bool!)
        case .number: return .number(numberText!)
        case .string: return .string(string!)
        case .array: return .array(elements.map(\.value))
        case .object: return .object(members.map { JSONMember(key: $0.key, value: $0.value.value) })
        }
    }
}

struct ShimParser {
    let s: ShimStorage
    var i = 0
    init(s: ShimStorage) { self.s = s }
    func fail(_ r: String) -> JSONParseError { JSONParseError(offset: i, reason: r) }
    mutating func ws() { while i < s.bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(s.bytes[i]) { i += 1 } }
    mutating func parseDocument() throws(JSONParseError) {
        ws(); try parseValue(); ws()
        if i != s.bytes.count { throw fail("trailing data") }
    }
    mutating func parseValue() throws(JSONParseError) {
        guard i < s.bytes.count else { throw fail("unexpected end") }
        let at = s.tape.count
        switch s.bytes[i] {
        case 0x7B:
            s.tape.append(.init(kind: .object, start: i, end: i, next: 0, count: 0, escaped: false))
            i += 1; ws()
            var n = 0
            if i < s.bytes.count, s.bytes[i] == 0x7D { i += 1 } else {
                while true {
                    ws()
                    guard i < s.bytes.count, s.bytes[i] == 0x22 else { throw fail("expected key") }
                    try parseString()
                    ws()
                    guard i < s.bytes.count, s.bytes[i] == 0x3A else { throw fail("expected :") }
                    i += 1; ws()
                    try parseValue(); n += 1; ws()
                    guard i < s.bytes.count else { throw fail("unexpected end") }
                    if s.bytes[i] == 0x2C { i += 1; continue }
                    guard s.bytes[i] == 0x7D else { throw fail("expected , or }") }
                    i += 1; break
                }
            }
            s.tape[at].count = n
        case 0x5B:
            s.tape.append(.init(kind: .array, start: i, end: i, next: 0, count: 0, escaped: false))
            i += 1; ws()
            var n = 0
            if i < s.bytes.count, s.bytes[i] == 0x5D { i += 1 } else {
                while true {
                    ws(); try parseValue(); n += 1; ws()
                    guard i < s.bytes.count else { throw fail("unexpected end") }
                    if s.bytes[i] == 0x2C { i += 1; continue }
                    guard s.bytes[i] == 0x5D else { throw fail("expected , or ]") }
                    i += 1; break
                }
            }
            s.tape[at].count = n
        case 0x22: try parseString()
        case 0x74: try literal("true", .bool)
        case 0x66: try literal("false", .bool)
        case 0x6E: try literal("null", .null)
        default:
            let start = i
            while i < s.bytes.count, "-+.eE0123456789".utf8.contains(s.bytes[i]) { i += 1 }
            guard i > start else { throw fail("unexpected character") }
            s.tape.append(.init(kind: .number, start: start, end: i, next: 0, count: 0, escaped: false))
        }
        s.tape[at].next = s.tape.count
    }
    mutating func literal(_ word: String, _ kind: JSONNode.Kind) throws(JSONParseError) {
        let w = Array(word.utf8)
        guard i + w.count <= s.bytes.count, Array(s.bytes[i..<(i + w.count)]) == w else { throw fail("bad literal") }
        s.tape.append(.init(kind: kind, start: i, end: i + w.count, next: s.tape.count + 1, count: 0, escaped: false))
        i += w.count
    }
    mutating func parseString() throws(JSONParseError) {
        i += 1
        let start = i
        var escaped = false
        while i < s.bytes.count, s.bytes[i] != 0x22 {
            if s.bytes[i] == 0x5C { escaped = true; i += 1 }
            i += 1
        }
        guard i < s.bytes.count else { throw fail("unterminated string") }
        s.tape.append(.init(kind: .string, start: start, end: i, next: s.tape.count + 1, count: 0, escaped: escaped))
        i += 1
    }
    static func unescape(_ raw: ArraySlice<UInt8>) -> String {
        var out = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        var it = raw.makeIterator()
        var pendingHigh: UInt32? = nil
        func flush() { out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars); bytes.removeAll() }
        while let b = it.next() {
            guard b == 0x5C, let e = it.next() else { bytes.append(b); continue }
            switch e {
            case 0x6E: bytes.append(0x0A)
            case 0x74: bytes.append(0x09)
            case 0x72: bytes.append(0x0D)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x75:
                var v: UInt32 = 0
                for _ in 0..<4 { v = v * 16 + UInt32(Int(String(UnicodeScalar(it.next()!)), radix: 16) ?? 0) }
                flush()
                if v >= 0xD800 && v < 0xDC00 { pendingHigh = v; continue }
                if v >= 0xDC00 && v < 0xE000, let h = pendingHigh {
                    out.append(Unicode.Scalar(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00))!)
                    pendingHigh = nil
                    continue
                }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default: bytes.append(e)
            }
        }
        flush()
        return String(out)
    }
}

extension JSONNode {
    /// Shim-only internals used by InstanceAccess.swift.
    var shimRawString: (range: Range<Int>, escaped: Bool) { (entry.start..<entry.end, entry.escaped) }
    var shimBytes: [UInt8] { storage.bytes }
    var shimMemberIndices: (first: Int, count: Int) { (index + 1, entry.count) }
}

extension JSONNode {
    public subscript(key key: String) -> JSONNode? {
        guard kind == .object else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }
}
