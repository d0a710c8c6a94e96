/// Executes a compiled `RegexProgram` over UTF-8 bytes by backtracking.
///
/// Positions are byte offsets that always sit on scalar boundaries (the input must be valid
/// UTF-8, which every decoded JSON string is). The backtrack stack interleaves branch points
/// with register undo records so captures and loop guards are restored exactly. A step budget
/// bounds pathological patterns: a run that exhausts it reports "no match" (documented).
struct RegexVM: ~Copyable {
    let programs: [RegexProgram]
    let sets: [RegexCharSet]
    let input: UnsafeBufferPointer<UInt8>
    /// Registers 0..<captureRegisters are captures (the rest are loop guards).
    let captureRegisters: Int
    var steps = 0
    static let stepBudget = 10_000_000

    private struct Frame { var pcOrRegister: Int; var value: Int }

    @inline(__always)
    func decode(_ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(input[i])
        if b0 < 0x80 { return (b0, 1) }
        // Truncated or stray bytes (not produced by a conforming JSON reader) decode as U+FFFD.
        let need = b0 < 0xC0 ? 0 : (b0 < 0xE0 ? 2 : (b0 < 0xF0 ? 3 : 4))
        if need == 0 || i + need > input.count { return (0xFFFD, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(input[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(input[i + 1] & 0x3F) << 6 | UInt32(input[i + 2] & 0x3F), 3)
        }
        let v = (b0 & 0x07) << 18 | UInt32(input[i + 1] & 0x3F) << 12
        return (v | UInt32(input[i + 2] & 0x3F) << 6 | UInt32(input[i + 3] & 0x3F), 4)
    }

    @inline(__always)
    private func isWordByte(_ i: Int) -> Bool {
        guard i >= 0, i < input.count else { return false }
        let b = input[i]
        return (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F
    }

    /// Runs `program` from `start`; when `requiredEnd` is set the match must end exactly there.
    mutating func run(_ program: Int, from start: Int, registers: inout [Int], requiredEnd: Int? = nil) -> Bool {
        let code = programs[program].code
        var stack: [Frame] = []
        var pc = 0, pos = start
        while true {
            steps += 1
            if steps > Self.stepBudget { return false }
            var ok = true
            switch code[pc] {
            case .set(let s):
                if pos < input.count {
                    let (c, n) = decode(pos)
                    if sets[s].contains(c) { pos += n; pc += 1 } else { ok = false }
                } else { ok = false }
            case .split(let first, let second):
                stack.append(Frame(pcOrRegister: second, value: pos))
                pc = first
            case .jump(let target): pc = target
            case .save(let r):
                stack.append(Frame(pcOrRegister: -1 - r, value: registers[r]))
                registers[r] = pos
                pc += 1
            case .resetCaptures(let groups):
                for r in (2 * groups.lowerBound)...(2 * groups.upperBound + 1) where registers[r] != -1 {
                    stack.append(Frame(pcOrRegister: -1 - r, value: registers[r]))
                    registers[r] = -1
                }
                pc += 1
            case .failIfNoProgress(let r):
                if registers[r] == pos { ok = false } else { pc += 1 }
            case .lineStart: if pos == 0 { pc += 1 } else { ok = false }
            case .lineEnd: if pos == input.count { pc += 1 } else { ok = false }
            case .wordBoundary(let negated):
                if (isWordByte(pos - 1) != isWordByte(pos)) != negated { pc += 1 } else { ok = false }
            case .backreference(let n):
                if let end = matchBackreference(n, at: pos, registers) { pos = end; pc += 1 } else { ok = false }
            case .look(let sub, let ahead, let negated):
                var scratch = registers
                let matched = lookaround(sub, ahead: ahead, at: pos, &scratch)
                if matched == negated {
                    ok = false
                } else {
                    if matched {
                        // Captures made inside a positive lookaround stay visible (ECMA-262).
                        for r in 2..<captureRegisters where scratch[r] != registers[r] {
                            stack.append(Frame(pcOrRegister: -1 - r, value: registers[r]))
                            registers[r] = scratch[r]
                        }
                    }
                    pc += 1
                }
            case .match:
                if requiredEnd == nil || requiredEnd == pos { return true }
                ok = false
            }
            if ok { continue }
            // Backtrack: undo register writes until the most recent branch point.
            while true {
                guard let frame = stack.popLast() else { return false }
                if frame.pcOrRegister < 0 {
                    registers[-1 - frame.pcOrRegister] = frame.value
                } else {
                    pc = frame.pcOrRegister
                    pos = frame.value
                    break
                }
            }
        }
    }

    private func matchBackreference(_ n: Int, at pos: Int, _ registers: [Int]) -> Int? {
        let start = registers[2 * n], end = registers[2 * n + 1]
        guard start >= 0, end >= start else { return pos }  // unset group matches empty
        let length = end - start
        guard pos + length <= input.count else { return nil }
        for k in 0..<length where input[start + k] != input[pos + k] { return nil }
        return pos + length
    }

    private mutating func lookaround(_ sub: Int, ahead: Bool, at pos: Int, _ scratch: inout [Int]) -> Bool {
        if ahead { return run(sub, from: pos, registers: &scratch) }
        // Lookbehind: some start at or before pos whose match ends exactly at pos.
        var j = pos
        while j >= 0 {
            if run(sub, from: j, registers: &scratch, requiredEnd: pos) { return true }
            j -= 1
            while j > 0, input[j] & 0xC0 == 0x80 { j -= 1 }
        }
        return false
    }
}
