// libFuzzer target for SigV4 canonicalisation of hostile URLs and headers (Sources/Pismo/AWS/
// Signing/CanonicalRequest.swift, URIEncoding.swift). The input is split at its first two NUL
// bytes into a path, a query and a header block ("name: value" lines). Invariants: the canonical
// URI and query use only unreserved bytes, '%' + two upper-case hex digits, and their separators;
// the query is idempotent (canonicalising it again changes nothing, so `%e1` and `%E1` sign
// alike); the header block has exactly one line per distinct name, lower-cased, in the order of
// the signed list, with no CR and no LF inside a value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigV4(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let text = parts.map { String(decoding: $0, as: UTF8.self) }
    let path = text.first ?? "", query = text.count > 1 ? text[1] : "", headerText = text.count > 2 ? text[2] : ""

    for normalize in [true, false] {
        checkEncoded(CanonicalRequest.canonicalURI(path: path, normalize: normalize), extra: "/")
    }
    let canonicalQuery = CanonicalRequest.canonicalQuery(query)
    checkEncoded(canonicalQuery, extra: "=&")
    precondition(CanonicalRequest.canonicalQuery(canonicalQuery) == canonicalQuery, "canonical query is not idempotent")

    var headers: [(name: String, value: String)] = []
    for line in headerText.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        // Header names are tokens by the time they are signed (the client refuses others).
        let name = String(line[..<colon]).filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard !name.isEmpty else { continue }
        headers.append((name, String(line[line.index(after: colon)...]).filter { $0 != "\r" && $0 != "\n" }))
    }
    let (block, signed) = CanonicalRequest.canonicalHeaders(headers)
    let names = Set(headers.map { $0.name.lowercased() })
    let signedNames = signed.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
    precondition(signedNames.count == (names.isEmpty ? 1 : names.count) || (names.isEmpty && signed.isEmpty), "one signed name per header")
    precondition(Set(signedNames.filter { !$0.isEmpty }) == names, "signed names are the lower-cased header names")
    let lines = block.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    precondition(lines.count == names.count, "one canonical line per distinct name")
    for (line, name) in zip(lines, signedNames) {
        // Bytes, not Characters: ":" followed by a combining mark is one Character.
        precondition(line.utf8.starts(with: (name + ":").utf8), "lines follow the signed order")
        precondition(!line.contains("\r"), "no CR in a canonical header line")
    }
    return 0
}

private func checkEncoded(_ text: String, extra: String) {
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: "%") {
            precondition(i + 2 < bytes.count, "truncated escape in \(text)")
            for h in bytes[i + 1...i + 2] {
                precondition((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46), "escape not upper-case hex in \(text)")
            }
            i += 3
            continue
        }
        precondition(URIEncoding.isUnreserved(b) || extra.utf8.contains(b), "byte \(b) left unencoded in \(text)")
        i += 1
    }
}
