/// Serialises a client request head, validating every caller-supplied header first: a CR or LF in
/// a value would let a caller (or data flowing into a header) inject a second request.
enum RequestEncoder {
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    static func validate(_ headers: HTTPHeaders) throws(HTTPClientError) {
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isToken) else { throw .invalidHeader(name: name) }
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { throw .invalidHeader(name: name) }
        }
    }

    static func validateMethod(_ method: String) throws(HTTPClientError) {
        guard !method.isEmpty, method.utf8.allSatisfy(isToken) else { throw .protocolError("invalid method '\(method)'") }
    }

    /// The head bytes; sets Host, Content-Length and Accept-Encoding unless the caller did.
    static func head(method: String, target: RequestTarget, headers: HTTPHeaders, bodyCount: Int,
                     acceptGzip: Bool, gzippedBody: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
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
        if bodyCount > 0 || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].contains(method) {
            line("Content-Length", String(bodyCount))
        }
        if acceptGzip && headers["Accept-Encoding"] == nil { line("Accept-Encoding", "gzip") }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }
}
