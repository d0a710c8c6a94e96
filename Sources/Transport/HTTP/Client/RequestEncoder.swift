/// Serialises a client request head, validating every caller-supplied header first: a CR or LF in
/// a value would let a caller (or data flowing into a header) inject a second request.
enum RequestEncoder {
    /// RFC 9110 `tchar`s, one flag per byte value: validation runs over every header of every
    /// request, and testing each byte against a string of symbols cost 1–2 % of the processor's CPU
    /// at saturation (bench/RESULTS.md, issue 17).
    private static let tokenBytes: [Bool] = (0...255).map { (b: Int) -> Bool in
        switch b {
        case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: return true
        default: return b < 0x80 && "!#$%&'*+-.^_`|~".utf8.contains(UInt8(b))
        }
    }

    static func isToken(_ byte: UInt8) -> Bool { tokenBytes[Int(byte)] }

    static func validate(_ headers: HTTPHeaders) throws(HTTPClientError) {
        for (name, value) in headers {
            guard !name.isEmpty, isTokenString(name) else { throw .invalidHeader(name: name) }
            guard isSafeValue(value) else { throw .invalidHeader(name: name) }
        }
    }

    private static func isTokenString(_ name: String) -> Bool {
        if let answer = name.utf8.withContiguousStorageIfAvailable({ bytes in
            tokenBytes.withUnsafeBufferPointer { table in bytes.allSatisfy { table[Int($0)] } }
        }) { return answer }
        return name.utf8.allSatisfy(isToken)
    }

    /// No CR, LF or NUL: any of them would let a value end the head or smuggle a second request.
    private static func isSafeValue(_ value: String) -> Bool {
        if let answer = value.utf8.withContiguousStorageIfAvailable({ bytes in
            !bytes.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        }) { return answer }
        return !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    static func validateMethod(_ method: String) throws(HTTPClientError) {
        guard !method.isEmpty, method.utf8.allSatisfy(isToken) else { throw .protocolError("invalid method '\(method)'") }
    }

    /// The head bytes; sets Host, Content-Length and Accept-Encoding unless the caller did.
    static func head(method: String, target: RequestTarget, headers: HTTPHeaders, bodyCount: Int,
                     acceptGzip: Bool, gzippedBody: Bool) -> [UInt8] {
        var out: [UInt8] = []
        // Sized up front: a signed AWS head is ~600 bytes, and growing from a guess copied it twice.
        out.reserveCapacity(headers.entries.reduce(method.utf8.count + target.path.utf8.count + target.hostHeader.utf8.count + 96) {
            $0 + $1.name.utf8.count + $1.value.utf8.count + 4
        })
        func line(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8); out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8); out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: method.utf8); out.append(0x20)
        out.append(contentsOf: target.path.utf8); out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        if headers["Host"] == nil { line("Host", target.hostHeader) }
        for (name, value) in headers {
            if name.caseInsensitiveEquals("Content-Length") || name.caseInsensitiveEquals("Transfer-Encoding") { continue }
            if gzippedBody && name.caseInsensitiveEquals("Content-Encoding") { continue }
            line(name, value)
        }
        if gzippedBody { line("Content-Encoding", "gzip") }
        if bodyCount > 0 || !methodOmitsEmptyBodyLength(method) {
            line("Content-Length", String(bodyCount))
        }
        if acceptGzip && headers["Accept-Encoding"] == nil { line("Accept-Encoding", "gzip") }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// Methods whose requests carry no Content-Length when they have no body (a switch, not an
    /// array literal allocated per request).
    private static func methodOmitsEmptyBodyLength(_ method: String) -> Bool {
        switch method {
        case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE": return true
        default: return false
        }
    }
}
