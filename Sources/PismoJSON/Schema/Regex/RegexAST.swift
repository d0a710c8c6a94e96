/// Parsed form of an ECMA-262 pattern (always in Unicode mode, as JSON Schema requires).
indirect enum RegexNode: Sendable {
    case empty
    case set(RegexCharSet)          // a literal, `.`, class or class escape: consumes one scalar
    case sequence([RegexNode])
    case alternation([RegexNode])
    case group(RegexNode, capture: Int?)
    case repeating(RegexNode, min: Int, max: Int?, greedy: Bool)
    case lineStart, lineEnd
    case wordBoundary(negated: Bool)
    case backreference(Int)
    case namedBackreference(String)
    case look(RegexNode, ahead: Bool, negated: Bool)
}

/// Why a pattern is not a valid ECMA-262 (Unicode-mode) regular expression.
public struct RegexSyntaxError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid regex at \(offset): \(reason)" }
}
