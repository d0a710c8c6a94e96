/// Recursive descent over `ExpressionLexer` tokens. Precedence as DynamoDB documents it:
/// comparisons and functions, then NOT, then AND, then OR.
struct ExpressionParser {
    private var tokens: [Token]
    private var position = 0

    init(_ text: String) throws(FakeError) {
        tokens = try ExpressionLexer.tokens(text)
    }

    static func condition(_ text: String) throws(FakeError) -> Condition {
        var p = try ExpressionParser(text)
        let c = try p.orExpression()
        try p.expectEnd()
        return c
    }

    static func update(_ text: String) throws(FakeError) -> UpdateActions {
        var p = try ExpressionParser(text)
        return try p.updateClauses()
    }

    static func projection(_ text: String) throws(FakeError) -> [String] {
        var p = try ExpressionParser(text)
        var paths = [try p.path()]
        while p.take(.symbol(",")) { paths.append(try p.path()) }
        try p.expectEnd()
        return paths
    }

    // MARK: conditions

    private mutating func orExpression() throws(FakeError) -> Condition {
        var left = try andExpression()
        while takeKeyword("OR") { left = .or(left, try andExpression()) }
        return left
    }

    private mutating func andExpression() throws(FakeError) -> Condition {
        var left = try notExpression()
        while takeKeyword("AND") { left = .and(left, try notExpression()) }
        return left
    }

    private mutating func notExpression() throws(FakeError) -> Condition {
        if takeKeyword("NOT") { return .not(try notExpression()) }
        return try primary()
    }

    private mutating func primary() throws(FakeError) -> Condition {
        if take(.symbol("(")) {
            let inner = try orExpression()
            try expect(.symbol(")"))
            return inner
        }
        if case .word(let w)? = peek, peekSecond == .symbol("(") {
            position += 2
            switch w {
            case "attribute_exists", "attribute_not_exists":
                let p = try path()
                try expect(.symbol(")"))
                return w == "attribute_exists" ? .exists(p) : .notExists(p)
            case "begins_with":
                let a = try operand()
                try expect(.symbol(","))
                let b = try operand()
                try expect(.symbol(")"))
                return .beginsWith(a, b)
            default:
                throw .unimplemented("the function \(w)() in a condition")
            }
        }
        let left = try operand()
        if takeKeyword("BETWEEN") {
            let low = try operand()
            guard takeKeyword("AND") else { throw .validation("Invalid expression: BETWEEN needs AND") }
            return .between(left, low, try operand())
        }
        if takeKeyword("IN") {
            try expect(.symbol("("))
            var list = [try operand()]
            while take(.symbol(",")) { list.append(try operand()) }
            try expect(.symbol(")"))
            return .inList(left, list)
        }
        guard case .symbol(let s)? = peek, let comparator = Comparator(rawValue: s) else {
            throw .validation("Invalid expression: expected a comparator after an operand")
        }
        position += 1
        return .compare(left, comparator, try operand())
    }

    private mutating func operand() throws(FakeError) -> Operand {
        if case .value(let v)? = peek { position += 1; return .value(v) }
        if case .word(let w)? = peek, peekSecond == .symbol("(") { throw .unimplemented("the function \(w)() as an operand") }
        return .path(try path())
    }

    /// A top-level attribute: `#name` or a bare name. Nested paths are refused.
    private mutating func path() throws(FakeError) -> String {
        let p: String
        switch peek {
        case .name(let n)?: p = n
        case .word(let w)?:
            if Self.reserved.contains(w.uppercased()) { throw .validation("Invalid expression: \(w) is a reserved keyword; use a #name placeholder") }
            p = w
        default: throw .validation("Invalid expression: expected an attribute name")
        }
        position += 1
        if peek == .symbol(".") || peek == .symbol("[") { throw .unimplemented("nested attribute paths (\(p)...)") }
        return p
    }

    // MARK: updates

    private mutating func updateClauses() throws(FakeError) -> UpdateActions {
        var actions = UpdateActions()
        var seen: Set<String> = []
        while peek != nil {
            guard case .word(let w)? = peek else { throw .validation("Invalid UpdateExpression: expected SET or REMOVE") }
            let clause = w.uppercased()
            position += 1
            guard seen.insert(clause).inserted else { throw .validation("Invalid UpdateExpression: The \"\(clause)\" section can only be used once") }
            switch clause {
            case "SET":
                repeat {
                    let target = try path()
                    try expect(.symbol("="))
                    actions.sets.append((target, try setValue()))
                } while take(.symbol(","))
            case "REMOVE":
                repeat { actions.removes.append(try path()) } while take(.symbol(","))
            case "ADD", "DELETE":
                throw .unimplemented("the \(clause) clause of UpdateExpression")
            default:
                throw .validation("Invalid UpdateExpression: unexpected \(w)")
            }
        }
        guard !seen.isEmpty else { throw .validation("Invalid UpdateExpression: empty") }
        return actions
    }

    private mutating func setValue() throws(FakeError) -> UpdateActions.SetValue {
        let value: UpdateActions.SetValue
        if case .word(let w)? = peek, peekSecond == .symbol("(") {
            guard w == "if_not_exists" else { throw .unimplemented("the function \(w)() in SET") }
            position += 2
            let p = try path()
            try expect(.symbol(","))
            let fallback = try operand()
            try expect(.symbol(")"))
            value = .ifNotExists(path: p, fallback: fallback)
        } else {
            value = .operand(try operand())
        }
        if take(.symbol("+")) { return .arithmetic(value, minus: false, try operand()) }
        if take(.symbol("-")) { return .arithmetic(value, minus: true, try operand()) }
        return value
    }

    // MARK: tokens

    private var peek: Token? { position < tokens.count ? tokens[position] : nil }
    private var peekSecond: Token? { position + 1 < tokens.count ? tokens[position + 1] : nil }

    private mutating func take(_ t: Token) -> Bool {
        guard peek == t else { return false }
        position += 1
        return true
    }

    private mutating func takeKeyword(_ k: String) -> Bool {
        guard case .word(let w)? = peek, w.uppercased() == k else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ t: Token) throws(FakeError) {
        guard take(t) else { throw .validation("Invalid expression: expected \(t)") }
    }

    private func expectEnd() throws(FakeError) {
        if peek != nil { throw .validation("Invalid expression: unexpected tokens at the end") }
    }

    /// The reserved words Pismo's attribute names could collide with (DynamoDB reserves ~570; these
    /// are the ones a bare name in our grammar would be confused with).
    static let reserved: Set<String> = ["AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE", "OWNER", "SIZE", "STATUS", "NAME", "KEY", "DATA", "TIMESTAMP", "URL", "TYPE", "VALUE", "USER", "TIME", "DATE"]
}
