/// Serialises a client request, validating every header first so that a bad value (CR, LF, NUL)
/// is reported before anything is sent (header injection would otherwise split the request).
enum RequestEncoder {
    static func encode(_ request: HTTPRequest, target: RequestTarget, body: [UInt8], extraHeaders: [(String, String)]) throws(HTTPClientError) -> [UInt8] {
        guard isToken(request.method) else { throw .protocolError("invalid method \"\(request.method)\" for \(target.host)") }
        var out: [UInt8] = []
        out.reserveCapacity(256 + (body.count <= 16 * 1024 ? body.count : 0))
        out.append(contentsOf: request.method.utf8)
        out.append(0x20)
        out.append(contentsOf: target.path.utf8)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        var hasHost = false
        var hasFraming = false
        for (name, value) in request.headers.entries + extraHeaders {
            guard isToken(name), isValidValue(value) else { throw .invalidHeader(name: name) }
            if name.caseInsensitiveEquals("host") { hasHost = true }
            if name.caseInsensitiveEquals("content-length") || name.caseInsensitiveEquals("transfer-encoding") { hasFraming = true }
        }
        if !hasHost { appendHeader("Host", target.authority, &out) }
        for (name, value) in request.headers.entries + extraHeaders {
            appendHeader(name, value, &out)
        }
        if !hasFraming && (!body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method)) {
            out.append(contentsOf: "Content-Length: ".utf8)
            ResponseEncoder.appendDecimal(body.count, &out)
            out.append(0x0D); out.append(0x0A)
        }
        out.append(0x0D); out.append(0x0A)
        return out
    }

    private static func appendHeader(_ name: String, _ value: String, _ out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(0x3A); out.append(0x20)
        out.append(contentsOf: value.utf8)
        out.append(0x0D); out.append(0x0A)
    }

    static func isToken(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: continue
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
                UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                continue
            default: return false
            }
        }
        return true
    }

    /// field-value: visible ASCII, SP, HTAB, obs-text; never CR, LF, NUL or other controls.
    static func isValidValue(_ text: String) -> Bool {
        for b in text.utf8 where (b < 0x20 && b != 0x09) || b == 0x7F { return false }
        return true
    }
}
