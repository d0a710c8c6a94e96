/// The expression grammar fakeaws implements: what Pismo sends, and the common neighbours. Anything
/// else (nested paths, size(), contains(), ADD/DELETE, non-integer arithmetic, list_append) is refused with a
/// ValidationException naming it, never guessed at.
///
/// A name is kept as written (`#o`, `owner`) and a value as its placeholder (`:me`): the same text is
/// parsed once and cached, while names and values change with every request.
public indirect enum Condition: Sendable {
    case and(Condition, Condition)
    case or(Condition, Condition)
    case not(Condition)
    case compare(Operand, Comparator, Operand)
    case between(Operand, Operand, Operand)
    case inList(Operand, [Operand])
    case exists(String)
    case notExists(String)
    case beginsWith(Operand, Operand)
}

public enum Comparator: String, Sendable { case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">=" }

public enum Operand: Sendable {
    case path(String)
    case value(String)
}

/// `SET a = :v, b = if_not_exists(b, :w)` and `REMOVE c, d`.
public struct UpdateActions: Sendable {
    public indirect enum SetValue: Sendable {
        case operand(Operand)
        case ifNotExists(path: String, fallback: Operand)
        /// `a + b` / `a - b` on whole numbers (what a counter needs: `if_not_exists(c, :zero) + :one`).
        case arithmetic(SetValue, minus: Bool, Operand)
    }
    public var sets: [(path: String, value: SetValue)] = []
    public var removes: [String] = []
}

enum Token: Equatable {
    case word(String)       // identifier, keyword, function name
    case name(String)       // #placeholder
    case value(String)      // :placeholder
    case symbol(String)     // ( ) , = <> < <= > >= + - . [ ]
}

enum ExpressionLexer {
    static func tokens(_ text: String) throws(FakeError) -> [Token] {
        var out: [Token] = []
        let bytes = Array(text.utf8)
        var i = 0
        func isWord(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || c >= 0x80
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == 32 || c == 9 || c == 10 || c == 13 { i += 1; continue }
            if c == UInt8(ascii: "#") || c == UInt8(ascii: ":") || isWord(c) {
                var j = i + 1
                while j < bytes.count, isWord(bytes[j]) { j += 1 }
                if j == i + 1 && !isWord(c) {
                    throw .validation("Invalid expression: a placeholder needs a name after \(Character(UnicodeScalar(c)))")
                }
                let word = String(decoding: bytes[i..<j], as: UTF8.self)
                if c == UInt8(ascii: "#") { out.append(.name(word)) } else if c == UInt8(ascii: ":") { out.append(.value(word)) } else { out.append(.word(word)) }
                i = j
                continue
            }
            let two = i + 1 < bytes.count ? String(decoding: bytes[i...i + 1], as: UTF8.self) : ""
            if two == "<>" || two == "<=" || two == ">=" { out.append(.symbol(two)); i += 2; continue }
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"),
                 UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"):
                out.append(.symbol(String(UnicodeScalar(c))))
                i += 1
            default:
                throw .validation("Invalid expression: unexpected character '\(Character(UnicodeScalar(c)))'")
            }
        }
        return out
    }
}
