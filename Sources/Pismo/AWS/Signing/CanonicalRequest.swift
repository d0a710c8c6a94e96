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
        let raw = path.isEmpty ? "/" : path
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
        var grouped: [(name: String, values: [String])] = []
        for (name, value) in headers {
            let lower = name.lowercased()
            let clean = collapseWhitespace(value)
            if let i = grouped.firstIndex(where: { $0.name == lower }) {
                grouped[i].values.append(clean)
            } else {
                grouped.append((lower, [clean]))
            }
        }
        grouped.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var block = ""
        for entry in grouped {
            block += entry.name + ":" + entry.values.joined(separator: ",") + "\n"
        }
        return (block, grouped.map(\.name).joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for b in value.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func build(method: String, canonicalURI: String, canonicalQuery: String,
                             headerBlock: String, signedHeaders: String, payloadHash: String) -> String {
        method + "\n" + canonicalURI + "\n" + canonicalQuery + "\n" + headerBlock + "\n" + signedHeaders + "\n" + payloadHash
    }
}
