// libFuzzer target for the ECMA-262 regex engine of `pattern` (Sources/PismoJSON/Schema/Regex):
// byte 0 splits the input into a pattern and a subject; the pattern is compiled (a syntax error
// is a fine answer) and matched against the subject, twice: the engine is pure, so both answers
// must agree, and the VM's step budget must stop catastrophic patterns (libFuzzer's -timeout
// reports one that does not).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let split = min(Int(data[0]), bytes.count)
    let pattern = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<split]), as: UTF8.self)
    let subject = Array(bytes[split...])
    guard let regex = try? ECMARegex(pattern) else { return 0 }
    let first = subject.withUnsafeBufferPointer { regex.matches(utf8: $0) }
    let again = regex.matches(String(decoding: subject, as: UTF8.self))
    // The String path sees the subject after UTF-8 repair, so only valid UTF-8 must agree.
    if String(validatingUTF8: subject.map { CChar(bitPattern: $0) } + [0]) != nil, !subject.contains(0) {
        precondition(first == again, "the same subject matched differently as bytes and as a String")
    }
    return 0
}
