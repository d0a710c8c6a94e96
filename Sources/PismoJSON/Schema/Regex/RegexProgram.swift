/// Backtracking program compiled from a `RegexNode`.
///
/// Registers 0..<2*(groups+1) hold capture start/end byte offsets (-1 = unset); registers after
/// that are loop-entry positions used to stop empty iterations of unbounded loops (ECMA-262
/// rejects an iteration that matches the empty string, which also prevents infinite loops).
enum RegexInstruction: Sendable {
    case set(Int)                  // consume one scalar that is in sets[i]
    case split(Int, Int)           // try first target, backtrack to second
    case jump(Int)
    case save(Int)                 // register = current position
    case failIfNoProgress(Int)     // fail when register == current position
    case lineStart, lineEnd
    case wordBoundary(negated: Bool)
    case backreference(Int)
    case look(program: Int, ahead: Bool, negated: Bool)
    case match
}

struct RegexProgram: Sendable {
    var code: [RegexInstruction] = []
}

/// Compiles an AST into the main program plus one sub-program per lookaround.
struct RegexCompiler {
    private(set) var programs: [RegexProgram] = [RegexProgram()]
    private(set) var sets: [RegexCharSet] = []
    private(set) var registerCount: Int
    private let groupNames: [String: Int]
    private var current = 0
    /// Counted repetition is unrolled; this caps the program size a schema can make us build.
    static let maxInstructions = 200_000

    init(groupCount: Int, groupNames: [String: Int]) {
        registerCount = 2 * (groupCount + 1)
        self.groupNames = groupNames
    }

    mutating func compileMain(_ node: RegexNode) throws(RegexSyntaxError) {
        emit(.save(0))
        try compile(node)
        emit(.save(1))
        emit(.match)
    }

    private var here: Int { programs[current].code.count }

    private mutating func emit(_ inst: RegexInstruction) { programs[current].code.append(inst) }
    private mutating func patch(_ at: Int, _ inst: RegexInstruction) { programs[current].code[at] = inst }

    private mutating func compile(_ node: RegexNode) throws(RegexSyntaxError) {
        if here > Self.maxInstructions { throw RegexSyntaxError(offset: 0, reason: "pattern too large") }
        switch node {
        case .empty: break
        case .set(let s):
            sets.append(s)
            emit(.set(sets.count - 1))
        case .sequence(let nodes): for n in nodes { try compile(n) }
        case .alternation(let branches): try compileAlternation(branches)
        case .group(let body, let capture):
            if let c = capture { emit(.save(2 * c)) }
            try compile(body)
            if let c = capture { emit(.save(2 * c + 1)) }
        case .repeating(let body, let lo, let hi, let greedy):
            try compileRepeat(body, min: lo, max: hi, greedy: greedy)
        case .lineStart: emit(.lineStart)
        case .lineEnd: emit(.lineEnd)
        case .wordBoundary(let negated): emit(.wordBoundary(negated: negated))
        case .backreference(let n): emit(.backreference(n))
        case .namedBackreference(let name): emit(.backreference(groupNames[name] ?? 0))
        case .look(let body, let ahead, let negated):
            let saved = current
            programs.append(RegexProgram())
            current = programs.count - 1
            try compile(body)
            emit(.match)
            let index = current
            current = saved
            emit(.look(program: index, ahead: ahead, negated: negated))
        }
    }

    private mutating func compileAlternation(_ branches: [RegexNode]) throws(RegexSyntaxError) {
        var jumpsToEnd: [Int] = []
        for (i, branch) in branches.enumerated() {
            if i < branches.count - 1 {
                let split = here
                emit(.split(0, 0))
                try compile(branch)
                jumpsToEnd.append(here)
                emit(.jump(0))
                patch(split, .split(split + 1, here))
            } else {
                try compile(branch)
            }
        }
        for j in jumpsToEnd { patch(j, .jump(here)) }
    }

    private mutating func compileRepeat(_ body: RegexNode, min lo: Int, max hi: Int?, greedy: Bool) throws(RegexSyntaxError) {
        for _ in 0..<lo { try compile(body) }
        if let hi {
            // Each optional copy may be skipped; skipping one skips all later ones.
            var exits: [Int] = []
            for _ in lo..<hi {
                exits.append(here)
                emit(.split(0, 0))
                try compile(body)
            }
            for e in exits { patch(e, greedy ? .split(e + 1, here) : .split(here, e + 1)) }
            return
        }
        let register = registerCount
        registerCount += 1
        let loop = here
        emit(.split(0, 0))
        emit(.save(register))
        try compile(body)
        emit(.failIfNoProgress(register))
        emit(.jump(loop))
        patch(loop, greedy ? .split(loop + 1, here) : .split(here, loop + 1))
    }
}
