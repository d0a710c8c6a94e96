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
    case resetCaptures(ClosedRange<Int>)  // groups in the range become unset (each iteration)
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

    /// Capture group numbers inside a node (they are numbered in order, so a range).
    private static func captures(in node: RegexNode) -> ClosedRange<Int>? {
        var found: [Int] = []
        func walk(_ n: RegexNode) {
            switch n {
            case .group(let body, let capture):
                if let capture { found.append(capture) }
                walk(body)
            case .sequence(let nodes), .alternation(let nodes): nodes.forEach(walk)
            case .repeating(let body, _, _, _), .look(let body, _, _): walk(body)
            default: break
            }
        }
        walk(node)
        guard let lo = found.min(), let hi = found.max() else { return nil }
        return lo...hi
    }

    /// One iteration of a quantified atom: ECMA-262 clears the atom's captures first.
    private mutating func compileIteration(_ body: RegexNode, _ groups: ClosedRange<Int>?) throws(RegexSyntaxError) {
        if let groups { emit(.resetCaptures(groups)) }
        try compile(body)
    }

    private mutating func compileRepeat(_ body: RegexNode, min lo: Int, max hi: Int?, greedy: Bool) throws(RegexSyntaxError) {
        let groups = Self.captures(in: body)
        for _ in 0..<lo { try compileIteration(body, groups) }
        if let hi {
            // Each optional copy may be skipped; skipping one skips all later ones.
            var exits: [Int] = []
            for _ in lo..<hi {
                exits.append(here)
                emit(.split(0, 0))
                try compileIteration(body, groups)
            }
            for e in exits { patch(e, greedy ? .split(e + 1, here) : .split(here, e + 1)) }
            return
        }
        let register = registerCount
        registerCount += 1
        let loop = here
        emit(.split(0, 0))
        emit(.save(register))
        try compileIteration(body, groups)
        emit(.failIfNoProgress(register))
        emit(.jump(loop))
        patch(loop, greedy ? .split(loop + 1, here) : .split(here, loop + 1))
    }
}
