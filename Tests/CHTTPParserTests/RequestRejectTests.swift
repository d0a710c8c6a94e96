import CHTTPParser
import Testing

/// A request head the parser must reject, and the error it must give.
struct RejectedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let error: UInt32
    let status: Int32
    init(_ name: String, _ text: String, _ error: chttp_error, _ status: Int32 = 400) {
        self.name = name
        self.text = text
        self.error = error.rawValue
        self.status = status
    }
    var testDescription: String { name }
}

private let host = "Host: a\r\n"

/// Request smuggling vectors: every way two parsers could disagree about where a body ends.
let smugglingVectors: [RejectedRequest] = [
    .init("CL.TE", "POST / HTTP/1.1\r\n\(host)Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_CL_AND_TE),
    .init("TE.CL", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n", CHTTP_E_CL_AND_TE),
    .init("CL with TE identity", "POST / HTTP/1.1\r\n\(host)Content-Length: 1\r\nTransfer-Encoding: identity\r\n\r\n", CHTTP_E_CL_AND_TE),
    .init("duplicate CL, same value", "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("duplicate CL, different values", "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL list, same values", "POST / HTTP/1.1\r\n\(host)Content-Length: 5, 5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL list, different values", "POST / HTTP/1.1\r\n\(host)Content-Length: 5,6\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL plus sign", "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL minus sign", "POST / HTTP/1.1\r\n\(host)Content-Length: -5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL hex", "POST / HTTP/1.1\r\n\(host)Content-Length: 0x5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL empty", "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL inner space", "POST / HTTP/1.1\r\n\(host)Content-Length: 1 2\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL letters", "POST / HTTP/1.1\r\n\(host)Content-Length: 5abc\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL decimal", "POST / HTTP/1.1\r\n\(host)Content-Length: 5.0\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL overflow", "POST / HTTP/1.1\r\n\(host)Content-Length: 18446744073709551616\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("CL far overflow", "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999999\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("chunked twice", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("chunked twice on two lines", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("chunked not last", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("chunked not last, two lines", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE without chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE unknown coding before chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", CHTTP_E_UNSUPPORTED_TRANSFER_CODING, 501),
    .init("TE xchunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: xchunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE chunkedchunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunkedchunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE chunked with parameter", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked;q=1\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE empty", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE only commas", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: , ,\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("TE space before colon", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding : chunked\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("CL space before colon", "POST / HTTP/1.1\r\n\(host)Content-Length : 5\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("TE obs-fold", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding:\r\n chunked\r\n\r\n", CHTTP_E_OBS_FOLD),
    .init("TE after obs-folded line", "POST / HTTP/1.1\r\n\(host)X: a\r\n Transfer-Encoding: chunked\r\n\r\n", CHTTP_E_OBS_FOLD),
    .init("TE vertical tab", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding:\u{0B}chunked\r\n\r\n", CHTTP_E_BAD_HEADER_VALUE),
    .init("bare CR ending a header", "GET / HTTP/1.1\r\n\(host)X: a\rTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_BARE_CR),
    .init("bare LF ending a header", "GET / HTTP/1.1\r\n\(host)X: a\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_BARE_LF),
    .init("bare CR ending the head", "GET / HTTP/1.1\r\n\(host)\rX", CHTTP_E_BARE_CR),
    .init("bare LF ending the head", "GET / HTTP/1.1\r\n\(host)\n", CHTTP_E_BARE_LF),
    .init("bare LF ending the request line", "GET / HTTP/1.1\n\(host)\r\n", CHTTP_E_BARE_LF),
    .init("bare CR in the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", CHTTP_E_BARE_CR),
    .init("whitespace before the first header", "GET / HTTP/1.1\r\n \(host)\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("missing Host", "GET / HTTP/1.1\r\n\r\n", CHTTP_E_MISSING_HOST),
    .init("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", CHTTP_E_MISSING_HOST),
    .init("duplicate Host in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", CHTTP_E_MISSING_HOST),
]

/// Malformed syntax that is not about body framing.
let syntaxVectors: [RejectedRequest] = [
    .init("NUL in a value", "GET / HTTP/1.1\r\n\(host)X: a\u{0}b\r\n\r\n", CHTTP_E_BAD_HEADER_VALUE),
    .init("DEL in a value", "GET / HTTP/1.1\r\n\(host)X: a\u{7F}b\r\n\r\n", CHTTP_E_BAD_HEADER_VALUE),
    .init("control byte in a value", "GET / HTTP/1.1\r\n\(host)X: \u{0C}\r\n\r\n", CHTTP_E_BAD_HEADER_VALUE),
    .init("control byte in a name", "GET / HTTP/1.1\r\n\(host)X\u{01}Y: a\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("space in a name", "GET / HTTP/1.1\r\n\(host)X Y: a\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("empty name", "GET / HTTP/1.1\r\n\(host): a\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("no colon", "GET / HTTP/1.1\r\n\(host)NoColon\r\n\r\n", CHTTP_E_BARE_CR),
    .init("non-token byte in a name", "GET / HTTP/1.1\r\n\(host)X(Y): a\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("non-ASCII in a name", "GET / HTTP/1.1\r\n\(host)X\u{e9}: a\r\n\r\n", CHTTP_E_BAD_HEADER_NAME),
    .init("obs-fold", "GET / HTTP/1.1\r\n\(host)X: a\r\n\tb\r\n\r\n", CHTTP_E_OBS_FOLD),
    .init("non-token method", "GE(T / HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_METHOD),
    .init("empty method", " / HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_REQUEST_LINE),
    .init("double space", "GET  / HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_REQUEST_LINE),
    .init("HTTP/0.9 request line", "GET /\r\n\r\n", CHTTP_E_BAD_REQUEST_LINE),
    .init("method only", "GET\r\n\r\n", CHTTP_E_BAD_REQUEST_LINE),
    .init("lower-case version", "GET / http/1.1\r\n\(host)\r\n", CHTTP_E_BAD_VERSION),
    .init("version with two minor digits", "GET / HTTP/1.10\r\n\(host)\r\n", CHTTP_E_BAD_VERSION),
    .init("version without minor", "GET / HTTP/1\r\n\(host)\r\n", CHTTP_E_BAD_VERSION),
    .init("trailing space after version", "GET / HTTP/1.1 \r\n\(host)\r\n", CHTTP_E_BAD_VERSION),
    .init("HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n", CHTTP_E_UNSUPPORTED_VERSION, 505),
    .init("HTTP/3.0", "GET / HTTP/3.0\r\n\(host)\r\n", CHTTP_E_UNSUPPORTED_VERSION, 505),
    .init("HTTP/0.9 version", "GET / HTTP/0.9\r\n\(host)\r\n", CHTTP_E_UNSUPPORTED_VERSION, 505),
    .init("control byte in the target", "GET /a\u{01}b HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("TAB in the target", "GET /a\tb HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("DEL in the target", "GET /a\u{7F} HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("UTF-8 in the target", "GET /caf\u{e9} HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("target in no known form", "GET index.html HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("asterisk with a path", "OPTIONS */x HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
    .init("CONNECT with an origin-form target", "CONNECT /x HTTP/1.1\r\n\(host)\r\n", CHTTP_E_BAD_TARGET),
]

@Suite("Request rejections")
struct RequestRejectTests {
    @Test("smuggling vector is rejected", arguments: smugglingVectors)
    func smuggling(_ c: RejectedRequest) { check(c) }

    @Test("malformed request is rejected", arguments: syntaxVectors)
    func syntax(_ c: RejectedRequest) { check(c) }

    private func check(_ c: RejectedRequest) {
        let head = Harness.request(c.text)
        #expect(head.result == CHTTP_ERROR)
        #expect(head.error.rawValue == c.error, "got \(head.errorName)")
        #expect(chttp_error_status(head.error) == c.status)
        #expect(Int(head.errorOffset) <= c.text.utf8.count)
        // No prefix may look like a complete head: a prefix is incomplete or already the error.
        let bytes = [UInt8](c.text)
        for n in 0..<bytes.count {
            let r = Harness.request(Array(bytes[0..<n])).result
            #expect(r == CHTTP_INCOMPLETE || r == CHTTP_ERROR, "prefix \(n): \(r)")
        }
    }
}
