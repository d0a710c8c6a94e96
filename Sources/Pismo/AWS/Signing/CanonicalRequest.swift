/// The SigV4 canonical request (AWS "Create a canonical request"):
///
///     METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n \n SignedHeaders \n PayloadHash
///
/// Pure functions over strings and bytes: no clock, no credentials, so every rule is unit-testable.
public enum CanonicalRequest {
    /// URI-encodes the path as given, so an already percent-encoded path gets encoded a second time —
    /// exactly the "encode twice" rule for every service but S3. `normalize` removes `.`/`..`
    /// segments and empty segments (again: everything but S3).
    public static func canonicalURI(path: String, normalize: Bool) -> String {
        // Every JSON-protocol request (SQS, DynamoDB, Streams) posts to "/": nothing to normalise or encode.
        if path.isEmpty || path == "/" { return "/" }
        let raw = path
        let effective = normalize ? normalizedPath(raw) : raw
        var out: [UInt8] = []
        out.reserveCapacity(effective.utf8.count + 8)
        URIEncoding.append(effective.utf8, keepSlash: true, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func normalizedPath(_ path: String) -> String {
        var stack: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            switch segment {
            case "", ".": continue
            case "..": _ = stack.popLast()
            default: stack.append(segment)
            }
        }
        let last = segments.last ?? ""
        let trailingSlash = last.isEmpty || last == "." || last == ".."
        if stack.isEmpty { return "/" }
        return "/" + stack.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    /// Sorted `key=value` pairs joined by `&`. Keys without `=` get an empty value; repeated keys are
    /// all kept and ordered by value. Escapes are decoded first so `%e1` and `%E1` sign alike.
    public static func canonicalQuery(_ query: String, adding extra: [(String, String)] = []) -> String {
        var pairs: [([UInt8], [UInt8])] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let bytes = Array(piece)
            let eq = bytes.firstIndex(of: UInt8(ascii: "="))
            let key = eq.map { Array(bytes[..<$0]) } ?? bytes
            let value = eq.map { Array(bytes[($0 + 1)...]) } ?? []
            pairs.append((encodeComponent(URIEncoding.decode(key)), encodeComponent(URIEncoding.decode(value))))
        }
        for (key, value) in extra {
            pairs.append((encodeComponent(Array(key.utf8)), encodeComponent(Array(value.utf8))))
        }
        pairs.sort { a, b in
            a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0.lexicographicallyPrecedes(b.0)
        }
        var out: [UInt8] = []
        for (i, pair) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out += pair.0
            out.append(UInt8(ascii: "="))
            out += pair.1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func encodeComponent(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        URIEncoding.append(bytes, keepSlash: false, to: &out)
        return out
    }

    /// Canonical header block (each `name:value\n`) and the `;`-joined signed-header list.
    /// Names are lower-cased; values trimmed with inner whitespace runs collapsed to one space;
    /// repeated names keep their order and are joined with `,`.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        let (block, signed) = canonicalHeaderBytes(headers)
        return (String(decoding: block, as: UTF8.self), String(decoding: signed, as: UTF8.self))
    }

    /// Byte form of `canonicalHeaders`, built without intermediate Strings (signing hot path).
    /// Every lower-cased name goes into one buffer (a range each) instead of an array per header:
    /// this runs for every AWS request, and the per-name arrays were a visible share of the
    /// processor's allocations at saturation (bench/RESULTS.md, issue 17).
    static func canonicalHeaderBytes(_ headers: [(name: String, value: String)]) -> (block: [UInt8], signed: [UInt8]) {
        var lower: [UInt8] = []
        lower.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(headers.count)
        for header in headers {
            let start = lower.count
            for b in header.name.utf8 { lower.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
            ranges.append(start..<lower.count)
        }
        return lower.withUnsafeBufferPointer { names in
            func name(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: names[ranges[i]]) }
            // Stable order: by name, then by position, so repeated headers keep the order they were sent in.
            let order = ranges.indices.sorted { a, b in
                let x = name(a), y = name(b)
                return x.elementsEqual(y) ? a < b : x.lexicographicallyPrecedes(y)
            }
            var block: [UInt8] = []
            block.reserveCapacity(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
            var signed: [UInt8] = []
            signed.reserveCapacity(names.count + headers.count)
            var previous: Int?
            for i in order {
                if let p = previous, name(p).elementsEqual(name(i)) {
                    block[block.count - 1] = UInt8(ascii: ",")  // replaces the previous line's "\n"
                } else {
                    if previous != nil { signed.append(UInt8(ascii: ";")) }
                    signed.append(contentsOf: name(i))
                    block.append(contentsOf: name(i))
                    block.append(UInt8(ascii: ":"))
                }
                appendCollapsed(headers[i].value, to: &block)
                block.append(UInt8(ascii: "\n"))
                previous = i
            }
            return (block, signed)
        }
    }

    static func collapseWhitespace(_ value: String) -> String {
        if isAlreadyCanonical(value) { return value }
        var out: [UInt8] = []
        appendCollapsed(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` trimmed, with every whitespace run (space, tab, CR, LF) as one space.
    static func appendCollapsed(_ value: String, to out: inout [UInt8]) {
        if isAlreadyCanonical(value) {  // the common case: tokens, dates, hosts
            out += value.utf8
            return
        }
        let start = out.count
        var pendingSpace = false
        for b in value.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = out.count > start
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
            }
        }
    }

    private static func isAlreadyCanonical(_ value: String) -> Bool {
        if let answer = value.utf8.withContiguousStorageIfAvailable(isAlreadyCanonical) { return answer }
        return isAlreadyCanonical(Array(value.utf8))
    }

    private static func isAlreadyCanonical<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var previousSpace = true  // a leading space is not canonical
        for b in bytes {
            if b == 0x09 || b == 0x0A || b == 0x0D { return false }
            let space = b == 0x20
            if space && previousSpace { return false }
            previousSpace = space
        }
        return !previousSpace || bytes.isEmpty
    }

    public static func build(method: String, canonicalURI: String, canonicalQuery: String,
                             headerBlock: String, signedHeaders: String, payloadHash: String) -> String {
        String(decoding: buildBytes(method: method, canonicalURI: canonicalURI, canonicalQuery: canonicalQuery,
                                    headerBlock: Array(headerBlock.utf8), signedHeaders: Array(signedHeaders.utf8),
                                    payloadHash: payloadHash), as: UTF8.self)
    }

    static func buildBytes(method: String, canonicalURI: String, canonicalQuery: String,
                           headerBlock: [UInt8], signedHeaders: [UInt8], payloadHash: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(method.utf8.count + canonicalURI.utf8.count + canonicalQuery.utf8.count
                            + headerBlock.count + signedHeaders.count + 70)
        out += method.utf8; out.append(0x0A)
        out += canonicalURI.utf8; out.append(0x0A)
        out += canonicalQuery.utf8; out.append(0x0A)
        out += headerBlock; out.append(0x0A)
        out += signedHeaders; out.append(0x0A)
        out += payloadHash.utf8
        return out
    }
}
