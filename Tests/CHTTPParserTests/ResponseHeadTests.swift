import CHTTPParser
import Testing

/// A response the parser must accept, and the framing it must report.
struct ValidResponse: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    var requestWasHead = false
    var status: Int32 = 200
    var reason = "OK"
    var minor: Int32 = 1
    var body: UInt32 = CHTTP_BODY_NONE.rawValue
    var contentLength: UInt64 = 0
    var keepAlive = true
    var upgrade = false
    var testDescription: String { name }
}

let validResponses: [ValidResponse] = [
    .init(name: "Content-Length", text: "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n",
          body: CHTTP_BODY_LENGTH.rawValue, contentLength: 12),
    .init(name: "chunked", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", body: CHTTP_BODY_CHUNKED.rawValue),
    .init(name: "gzip then chunked is chunked", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
          body: CHTTP_BODY_CHUNKED.rawValue),
    .init(name: "no framing reads until close", text: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n",
          body: CHTTP_BODY_UNTIL_CLOSE.rawValue, keepAlive: false),
    .init(name: "TE gzip reads until close", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
          body: CHTTP_BODY_UNTIL_CLOSE.rawValue, keepAlive: false),
    .init(name: "chunked not last reads until close", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
          body: CHTTP_BODY_UNTIL_CLOSE.rawValue, keepAlive: false),
    .init(name: "204 has no body", text: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", status: 204,
          reason: "No Content"),
    .init(name: "304 has no body", text: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", status: 304,
          reason: "Not Modified"),
    .init(name: "100 Continue has no body", text: "HTTP/1.1 100 Continue\r\n\r\n", status: 100, reason: "Continue"),
    .init(name: "101 is an upgrade", text: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
          status: 101, reason: "Switching Protocols", upgrade: true),
    .init(name: "response to HEAD has no body", text: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
          requestWasHead: true),
    .init(name: "response to HEAD, chunked", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
          requestWasHead: true),
    .init(name: "no reason phrase", text: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", reason: ""),
    .init(name: "empty reason phrase", text: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", reason: ""),
    .init(name: "reason with spaces and obs-text", text: "HTTP/1.1 404 Not \u{e9} Found\r\nContent-Length: 0\r\n\r\n",
          status: 404, reason: "Not \u{e9} Found"),
    .init(name: "HTTP/1.0 closes by default", text: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", minor: 0,
          body: CHTTP_BODY_LENGTH.rawValue, contentLength: 1, keepAlive: false),
    .init(name: "HTTP/1.0 keep-alive", text: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
          minor: 0, body: CHTTP_BODY_LENGTH.rawValue, contentLength: 1),
    .init(name: "Connection: close", text: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n",
          body: CHTTP_BODY_LENGTH.rawValue, contentLength: 1, keepAlive: false),
]

struct RejectedResponse: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let error: UInt32
    init(_ name: String, _ text: String, _ error: chttp_error) {
        self.name = name
        self.text = text
        self.error = error.rawValue
    }
    var testDescription: String { name }
}

let rejectedResponses: [RejectedResponse] = [
    .init("CL and TE", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_CL_AND_TE),
    .init("duplicate CL", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("bad CL", "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", CHTTP_E_BAD_CONTENT_LENGTH),
    .init("TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", CHTTP_E_BAD_TRANSFER_ENCODING),
    .init("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("status below 100", "HTTP/1.1 099 Odd\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("letters in status", "HTTP/1.1 2OO OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("tab after version", "HTTP/1.1\t200 OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("HTTP/2", "HTTP/2 200 OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", CHTTP_E_UNSUPPORTED_VERSION),
    .init("not HTTP", "ICE/1.0 200 OK\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("control byte in reason", "HTTP/1.1 200 O\u{01}K\r\n\r\n", CHTTP_E_BAD_STATUS_LINE),
    .init("bare LF status line", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", CHTTP_E_BARE_LF),
    .init("bare CR status line", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n", CHTTP_E_BARE_CR),
    .init("obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", CHTTP_E_OBS_FOLD),
]

@Suite("Response heads")
struct ResponseHeadTests {
    @Test(arguments: validResponses)
    func parsesValidResponse(_ c: ValidResponse) {
        let head = Harness.response(c.text, requestWasHead: c.requestWasHead)
        #expect(head.result == Int32(c.text.utf8.count), "\(head.errorName) at \(head.errorOffset)")
        #expect(head.status == c.status)
        #expect(head.reason == c.reason)
        #expect(head.versionMinor == c.minor)
        #expect(head.bodyKind.rawValue == c.body)
        #expect(head.contentLength == c.contentLength)
        #expect(head.keepAlive == c.keepAlive)
        #expect(head.upgrade == c.upgrade)
    }

    @Test("every proper prefix of a valid head is incomplete", arguments: validResponses)
    func prefixesAreIncomplete(_ c: ValidResponse) {
        let bytes = [UInt8](c.text)
        for n in 0..<bytes.count {
            let head = Harness.response(Array(bytes[0..<n]), requestWasHead: c.requestWasHead)
            #expect(head.result == CHTTP_INCOMPLETE, "prefix of \(n) bytes: \(head.errorName)")
        }
    }

    @Test(arguments: rejectedResponses)
    func rejectsMalformedResponse(_ c: RejectedResponse) {
        let head = Harness.response(c.text)
        #expect(head.result == CHTTP_ERROR)
        #expect(head.error.rawValue == c.error, "got \(head.errorName)")
        let bytes = [UInt8](c.text)
        for n in 0..<bytes.count {
            let r = Harness.response(Array(bytes[0..<n])).result
            #expect(r == CHTTP_INCOMPLETE || r == CHTTP_ERROR, "prefix \(n): \(r)")
        }
    }
}
