/// An ECMA-262 regular expression in Unicode mode, compiled once, matched with search semantics
/// (JSON Schema `pattern` is not implicitly anchored).
///
/// Patterns that are a start-anchored run of character-class pieces (`^[A-Za-z0-9._:-]{1,128}$`,
/// `^\d+-[a-z]*`) where every variable piece is followed by a disjoint piece are matched by a
/// linear scan with no backtracking and no allocation; everything else runs on the
/// backtracking VM. Immutable and `Sendable`: one instance may be used from many threads.
public final class ECMARegex: Sendable {
    public let source: String
    private let fastPath: [FastPiece]?
    private let fastAnchoredEnd: Bool
    private let programs: [RegexProgram]
    private let sets: [RegexCharSet]
    private let registerCount: Int
    private let captureRegisters: Int
    private let anchoredStart: Bool

    struct FastPiece: Sendable {
        let set: RegexCharSet
        let min: Int
        let max: Int
    }

    public init(_ pattern: String) throws(RegexSyntaxError) {
        source = pattern
        var parser = RegexParser(pattern)
        let ast = try parser.parse()
        var compiler = RegexCompiler(groupCount: parser.groupCount, groupNames: parser.groupNames)
        try compiler.compileMain(ast)
        programs = compiler.programs
        sets = compiler.sets
        registerCount = compiler.registerCount
        captureRegisters = 2 * (parser.groupCount + 1)
        let top: [RegexNode]
        if case .sequence(let nodes) = ast { top = nodes } else { top = [ast] }
        if case .lineStart = top.first { anchoredStart = true } else { anchoredStart = false }
        (fastPath, fastAnchoredEnd) = Self.fastPieces(top)
    }

    /// True when the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { matches(utf8: $0) }
    }

    /// True when the pattern matches somewhere in the valid UTF-8 `utf8`.
    public func matches(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if let fastPath {
            return fastPath.withUnsafeBufferPointer { Self.scan($0, anchoredEnd: fastAnchoredEnd, utf8) }
        }
        var vm = RegexVM(programs: programs, sets: sets, input: utf8, captureRegisters: captureRegisters)
        var registers = [Int](repeating: -1, count: registerCount)
        var start = 0
        while start <= utf8.count {
            if vm.run(0, from: start, registers: &registers) { return true }
            if anchoredStart || vm.steps > RegexVM.stepBudget { return false }
            start += 1
            while start < utf8.count, utf8[start] & 0xC0 == 0x80 { start += 1 }
        }
        return false
    }

    private static func scan(_ pieces: UnsafeBufferPointer<FastPiece>, anchoredEnd: Bool, _ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var pos = 0
        let n = input.count
        for p in 0..<pieces.count {
            var count = 0
            let piece = pieces.baseAddress! + p
            while count < piece.pointee.max, pos < n {
                let b = input[pos]
                if b < 0x80 {
                    guard piece.pointee.set.contains(UInt32(b)) else { break }
                    pos += 1
                } else {
                    let (c, len) = decodeScalar(input, pos)
                    guard piece.pointee.set.contains(c) else { break }
                    pos += len
                }
                count += 1
            }
            if count < piece.pointee.min { return false }
        }
        return !anchoredEnd || pos == n
    }

    private static func decodeScalar(_ input: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(input[i])
        let need = b0 < 0xC0 ? 0 : (b0 < 0xE0 ? 2 : (b0 < 0xF0 ? 3 : 4))
        if need == 0 || i + need > input.count { return (0xFFFD, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(input[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(input[i + 1] & 0x3F) << 6 | UInt32(input[i + 2] & 0x3F), 3)
        }
        let v = (b0 & 0x07) << 18 | UInt32(input[i + 1] & 0x3F) << 12
        return (v | UInt32(input[i + 2] & 0x3F) << 6 | UInt32(input[i + 3] & 0x3F), 4)
    }

    /// Pieces for the linear matcher, or nil when the pattern needs backtracking.
    private static func fastPieces(_ top: [RegexNode]) -> ([FastPiece]?, Bool) {
        guard case .lineStart = top.first else { return (nil, false) }
        var body = top.dropFirst()
        var anchoredEnd = false
        if case .lineEnd = body.last { anchoredEnd = true; body = body.dropLast() }
        var pieces: [FastPiece] = []
        for node in body {
            switch node {
            case .set(let s): pieces.append(FastPiece(set: s, min: 1, max: 1))
            case .repeating(.set(let s), let lo, let hi, _): pieces.append(FastPiece(set: s, min: lo, max: hi ?? Int.max))
            default: return (nil, false)
            }
        }
        // Greedy without backtracking is exact only if what follows a variable piece can never
        // start with a character the piece would have taken.
        for (i, piece) in pieces.enumerated() where piece.min != piece.max && i + 1 < pieces.count {
            if !piece.set.isDisjointASCII(from: pieces[i + 1].set) { return (nil, false) }
        }
        return (pieces, anchoredEnd)
    }
}
