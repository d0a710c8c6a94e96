import CHTTPParser
import Testing

/// Limits: a head that cannot fit is rejected as soon as that is certain, never buffered without bound.
@Suite("Limits")
struct LimitsTests {
    private func limits(head: UInt32 = 0, line: UInt32 = 0, body: UInt64 = 0) -> chttp_limits {
        chttp_limits(max_header_bytes: head, max_line_bytes: line, max_body_bytes: body)
    }

    @Test func longRequestLineIs414() {
        let text = "GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: a\r\n\r\n"
        let head = Harness.request(text, limits: limits(line: 100))
        #expect(head.error == CHTTP_E_LINE_TOO_LONG)
        #expect(chttp_error_status(head.error) == 414)
    }

    @Test func unfinishedLongRequestLineIsRejectedBeforeItEnds() {
        let text = "GET /\(String(repeating: "a", count: 2_000_000))"
        let head = Harness.request(text)
        #expect(head.error == CHTTP_E_LINE_TOO_LONG)
    }

    @Test func hugeMethodIsRejected() {
        let head = Harness.request(String(repeating: "A", count: 100_000))
        #expect(head.result == CHTTP_ERROR)
        #expect(head.error == CHTTP_E_LINE_TOO_LONG)
    }

    @Test func longHeaderLineIs431() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 200))\r\n\r\n"
        let head = Harness.request(text, limits: limits(line: 100))
        #expect(head.error == CHTTP_E_HEADER_LINE_TOO_LONG)
        #expect(chttp_error_status(head.error) == 431)
    }

    @Test func megabyteValueIsRejected() {
        let head = Harness.request("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 1 << 20))\r\n\r\n")
        #expect(head.error == CHTTP_E_HEADER_LINE_TOO_LONG)
    }

    @Test func headOverTheLimitIs431EvenWhenComplete() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for i in 0..<20 { text += "X-\(i): \(String(repeating: "v", count: 20))\r\n" }
        text += "\r\n"
        let head = Harness.request(text, limits: limits(head: 200))
        #expect(head.error == CHTTP_E_HEADERS_TOO_LARGE)
        #expect(chttp_error_status(head.error) == 431)
    }

    @Test func headWithoutEndIsRejectedOnceOverTheLimit() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        while text.utf8.count < 2_100_000 { text += "X-Some-Header: some value\r\n" }
        let head = Harness.request([UInt8](text), capacity: 100_000)
        #expect(head.error == CHTTP_E_HEADERS_TOO_LARGE)
    }

    @Test func manyTinyHeadersOverflowTheArray() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for _ in 0..<100_000 { text += "a:\r\n" }
        text += "\r\n"
        let head = Harness.request([UInt8](text), capacity: 100)
        #expect(head.error == CHTTP_E_TOO_MANY_HEADERS)
        #expect(chttp_error_status(head.error) == 431)
    }

    @Test("a 64 KiB value (llhttp 'either') is rejected by default, accepted with raised limits")
    func sixtyFourKiBValue() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 65536))\r\n\r\n"
        #expect(Harness.request(text).error == CHTTP_E_HEADER_LINE_TOO_LONG)
        let raised = Harness.request(text, limits: limits(head: 1 << 20, line: 1 << 20))
        #expect(raised.result == Int32(text.utf8.count))
    }

    @Test func megabyteTargetIsRejected() {
        let head = Harness.request("GET /\(String(repeating: "a", count: 1 << 20)) HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head.error == CHTTP_E_LINE_TOO_LONG)
    }

    @Test func twentyThousandHeadersAreRejected() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for i in 0..<20_000 { text += "X-Header-\(i): value value value value value value value value value\r\n" }
        text += "\r\n"
        let head = Harness.request([UInt8](text), capacity: 30_000)
        #expect(head.error == CHTTP_E_HEADERS_TOO_LARGE)
    }

    @Test func megabyteResponseHeaderIsRejected() {
        let head = Harness.response("HTTP/1.1 200 OK\r\nX: \(String(repeating: "v", count: 1 << 20))\r\n\r\n")
        #expect(head.error == CHTTP_E_HEADER_LINE_TOO_LONG)
    }

    @Test func contentLengthOverTheBodyLimitIs413() {
        let head = Harness.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n",
                                   limits: limits(body: 1000))
        #expect(head.error == CHTTP_E_BODY_TOO_LARGE)
        #expect(chttp_error_status(head.error) == 413)
        let fits = Harness.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n",
                                   limits: limits(body: 1000))
        #expect(fits.contentLength == 1000)
    }

    @Test func responseContentLengthOverTheBodyLimitIsRejected() {
        let head = Harness.response([UInt8]("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"),
                                    limits: limits(body: 1000))
        #expect(head.error == CHTTP_E_BODY_TOO_LARGE)
    }

    @Test func zeroLimitsMeanDefaults() {
        let value = String(repeating: "v", count: 16_000)
        let head = Harness.request("GET / HTTP/1.1\r\nHost: a\r\nX: \(value)\r\n\r\n", limits: limits())
        #expect(head.result > 0)
        let over = Harness.request("GET / HTTP/1.1\r\nHost: a\r\nX: \(value)\(value)\r\n\r\n", limits: limits())
        #expect(over.error == CHTTP_E_HEADER_LINE_TOO_LONG)
    }
}
