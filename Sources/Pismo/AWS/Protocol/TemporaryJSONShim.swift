// TEMPORARY: a minimal stand-in with the planned PismoJSON API (JSONDocument / JSONNode / JSONWriter)
// so the AWS clients can be written and tested before branch `json` lands. Delete this file when
// PismoJSON provides these types; the AWS code only uses the names below.

public enum JSONKind: Sendable, Equatable { case null, bool, number, string, array, object }

public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var description: String { "invalid JSON at byte \(offset)" }
}

indirect enum ShimJSONValue: Sendable {
    case null, bool(Bool), number(String), string(String), array([ShimJSONValue]), object([(String, ShimJSONValue)])
}

public struct JSONDocument: Sendable {
    public let root: JSONNode
    public init(bytes: [UInt8]) throws {
        var parser = ShimJSONParser(bytes: bytes)
        let value = try parser.parseValue()
        parser.skipSpace()
        guard parser.i == bytes.count else { throw JSONParseError(offset: parser.i) }
        root = JSONNode(value: value)
    }
}

public struct JSONNode: Sendable {
    let value: ShimJSONValue
    public var kind: JSONKind {
        switch value {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }
    public var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var numberText: String? { if case .number(let n) = value { n } else { nil } }
    public var int: Int? { numberText.flatMap { Int($0) } }
    public var int64: Int64? { numberText.flatMap { Int64($0) } }
    public var double: Double? { numberText.flatMap { Double($0) } }
    public var count: Int {
        switch value {
        case .array(let a): a.count
        case .object(let o): o.count
        default: 0
        }
    }
    public subscript(key key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first(where: { $0.0 == key }).map { JSONNode(value: $0.1) }
    }
    public subscript(key: String) -> JSONNode? { self[key: key] }
    public var elements: [JSONNode] { if case .array(let a) = value { a.map { JSONNode(value: $0) } } else { [] } }
    public var members: [(key: String, value: JSONNode)] {
        if case .object(let o) = value { o.map { (key: $0.0, value: JSONNode(value: $0.1)) } } else { [] }
    }
}

struct ShimJSONParser {
    let bytes: [UInt8]
    var i = 0

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func parseValue() throws -> ShimJSONValue {
        skipSpace()
        guard i < bytes.count else { throw JSONParseError(offset: i) }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw JSONParseError(offset: i) }
        i += w.count
    }

    mutating func parseNumber() throws -> ShimJSONValue {
        let start = i
        while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == 0x2D || bytes[i] == 0x2B
            || bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 { i += 1 }
        guard i > start else { throw JSONParseError(offset: i) }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    mutating func parseString() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
            if b == 0x5C {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800, scalar < 0xDC00, i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
            } else {
                out.append(b)
                i += 1
            }
        }
        throw JSONParseError(offset: i)
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw JSONParseError(offset: i)
        }
        i += 4
        return v
    }

    mutating func parseArray() throws -> ShimJSONValue {
        i += 1
        var items: [ShimJSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            items.append(try parseValue())
            skipSpace()
            guard i < bytes.count else { throw JSONParseError(offset: i) }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw JSONParseError(offset: i)
        }
    }

    mutating func parseObject() throws -> ShimJSONValue {
        i += 1
        var members: [(String, ShimJSONValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x22 else { throw JSONParseError(offset: i) }
            let key = try parseString()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw JSONParseError(offset: i) }
            i += 1
            members.append((key, try parseValue()))
            skipSpace()
            guard i < bytes.count else { throw JSONParseError(offset: i) }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw JSONParseError(offset: i)
        }
    }
}

/// Streaming writer: commas and colons are placed automatically.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func separate() { if needsComma { bytes.append(UInt8(ascii: ",")) } }
    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }
    public mutating func key(_ k: String) { separate(); appendQuoted(k); bytes.append(UInt8(ascii: ":")); needsComma = false }
    public mutating func string(_ s: String) { separate(); appendQuoted(s); needsComma = true }
    public mutating func number(text: String) { separate(); bytes += Array(text.utf8); needsComma = true }
    public mutating func int(_ v: Int) { number(text: String(v)) }
    public mutating func double(_ v: Double) { number(text: String(v)) }
    public mutating func bool(_ v: Bool) { number(text: v ? "true" : "false") }
    public mutating func null() { number(text: "null") }
    public mutating func raw(_ b: [UInt8]) { separate(); bytes += b; needsComma = true }

    private mutating func appendQuoted(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }
}
