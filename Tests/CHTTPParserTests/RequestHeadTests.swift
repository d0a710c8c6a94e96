import CHTTPParser
import Testing

/// A request the parser must accept, with what it must report.
struct ValidRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    var method = "GET"
    var target = "/"
    var minor: Int32 = 1
    var headers: [String] = []          // "Name: value" after OWS trimming, in order
    var body: UInt32 = CHTTP_BODY_NONE.rawValue
    var contentLength: UInt64 = 0
    var keepAlive = true
    var upgrade = false
    var expectContinue = false
    var gzip = false
    var testDescription: String { name }
}

let validRequests: [ValidRequest] = [
    ValidRequest(name: "simple GET", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", headers: ["Host: a"]),
    ValidRequest(name: "leading empty lines skipped", text: "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
                 target: "/x", headers: ["Host: a"]),
    ValidRequest(name: "Content-Length body", text: "POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
                 method: "POST", target: "/p?q=1", headers: ["Host: a", "Content-Length: 5"],
                 body: CHTTP_BODY_LENGTH.rawValue, contentLength: 5),
    ValidRequest(name: "Content-Length 0 is no body", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                 method: "POST", headers: ["Host: a", "Content-Length: 0"]),
    ValidRequest(name: "Content-Length leading zeros and OWS", text: "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: \t007 \r\n\r\n",
                 method: "PUT", headers: ["Host: a", "Content-Length: 007"], body: CHTTP_BODY_LENGTH.rawValue,
                 contentLength: 7),
    ValidRequest(name: "GET with a body", text: "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n",
                 headers: ["Host: a", "Content-Length: 2"], body: CHTTP_BODY_LENGTH.rawValue, contentLength: 2),
    ValidRequest(name: "chunked", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                 method: "POST", headers: ["Host: a", "Transfer-Encoding: chunked"], body: CHTTP_BODY_CHUNKED.rawValue),
    ValidRequest(name: "chunked is case-insensitive, HTAB OWS",
                 text: "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding:\tChunked\r\n\r\n",
                 method: "POST", headers: ["Host: a", "transfer-encoding: Chunked"], body: CHTTP_BODY_CHUNKED.rawValue),
    ValidRequest(name: "HTTP/1.0 without Host closes", text: "GET / HTTP/1.0\r\n\r\n", minor: 0, keepAlive: false),
    ValidRequest(name: "HTTP/1.0 keep-alive", text: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", minor: 0,
                 headers: ["Connection: Keep-Alive"]),
    ValidRequest(name: "Connection: close", text: "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
                 headers: ["Host: a", "Connection: foo, close"], keepAlive: false),
    ValidRequest(name: "higher 1.x minor is treated as 1.1", text: "GET / HTTP/1.7\r\nHost: a\r\n\r\n", headers: ["Host: a"]),
    ValidRequest(name: "absolute-form", text: "GET http://a.example/x?y HTTP/1.1\r\nHost: a.example\r\n\r\n",
                 target: "http://a.example/x?y", headers: ["Host: a.example"]),
    ValidRequest(name: "asterisk-form", text: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", method: "OPTIONS", target: "*",
                 headers: ["Host: a"]),
    ValidRequest(name: "CONNECT is an upgrade without body",
                 text: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\nContent-Length: 4\r\n\r\n",
                 method: "CONNECT", target: "a.example:443", headers: ["Host: a.example:443", "Content-Length: 4"],
                 upgrade: true),
    ValidRequest(name: "methods are case-sensitive: connect is not CONNECT",
                 text: "connect /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n", method: "connect", target: "/x",
                 headers: ["Host: a", "Content-Length: 1"], body: CHTTP_BODY_LENGTH.rawValue, contentLength: 1),
    ValidRequest(name: "Upgrade: websocket",
                 text: "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
                 target: "/ws", headers: ["Host: a", "Connection: keep-alive, Upgrade", "Upgrade: websocket"], upgrade: true),
    ValidRequest(name: "Upgrade header without Connection: upgrade is ignored",
                 text: "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", headers: ["Host: a", "Upgrade: websocket"]),
    ValidRequest(name: "Expect: 100-continue",
                 text: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", method: "PUT",
                 headers: ["Host: a", "Expect: 100-Continue", "Content-Length: 1"], body: CHTTP_BODY_LENGTH.rawValue,
                 contentLength: 1, expectContinue: true),
    ValidRequest(name: "Content-Encoding: gzip", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n\r\n",
                 method: "POST", headers: ["Host: a", "Content-Encoding: gzip"], gzip: true),
    ValidRequest(name: "empty values and OWS trimmed",
                 text: "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Space:   \r\nX-Inner:  a \t b  \r\n\r\n",
                 headers: ["Host: a", "X-Empty: ", "X-Space: ", "X-Inner: a \t b"]),
    ValidRequest(name: "obs-text in a value", text: "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{e9}\r\n\r\n",
                 headers: ["Host: a", "X-Name: caf\u{e9}"]),
    ValidRequest(name: "every tchar in a name and method",
                 text: "!#$%&'*+-.^_`|~09azAZ / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n",
                 method: "!#$%&'*+-.^_`|~09azAZ", headers: ["Host: a", "!#$%&'*+-.^_`|~09azAZ: v"]),
]

private func headerLines(_ head: ParsedHead) -> [String] {
    head.headers.map { "\($0.0): \($0.1)" }
}

@Suite("Request heads")
struct RequestHeadTests {
    @Test(arguments: validRequests)
    func parsesValidRequest(_ c: ValidRequest) {
        let head = Harness.request(c.text)
        #expect(head.result == Int32(c.text.utf8.count), "\(head.errorName) at \(head.errorOffset)")
        #expect(head.method == c.method)
        #expect(head.target == c.target)
        #expect(head.versionMinor == c.minor)
        #expect(headerLines(head) == c.headers)
        #expect(head.bodyKind.rawValue == c.body)
        #expect(head.contentLength == c.contentLength)
        #expect(head.keepAlive == c.keepAlive)
        #expect(head.upgrade == c.upgrade)
        #expect(head.expectContinue == c.expectContinue)
        #expect(head.gzip == c.gzip)
    }

    @Test("every proper prefix of a valid head is incomplete", arguments: validRequests)
    func prefixesAreIncomplete(_ c: ValidRequest) {
        let bytes = [UInt8](c.text)
        for n in 0..<bytes.count {
            let head = Harness.request(Array(bytes[0..<n]))
            #expect(head.result == CHTTP_INCOMPLETE, "prefix of \(n) bytes: \(head.result) \(head.errorName)")
        }
    }

    @Test("bytes after the head are not consumed", arguments: validRequests)
    func stopsAtEndOfHead(_ c: ValidRequest) {
        let head = Harness.request(c.text + "GARBAGE\r\n\u{0}")
        #expect(head.result == Int32(c.text.utf8.count))
    }

    @Test func sixtyHeadersFitTheDefaultLimits() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for i in 0..<60 { text += "X-Header-\(i): \(String(repeating: "v", count: 50))\r\n" }
        text += "\r\n"
        let head = Harness.request([UInt8](text), capacity: 64)
        #expect(head.result == Int32(text.utf8.count))
        #expect(head.headers.count == 61)
    }

    @Test func eightThousandOctetTargetIsAccepted() {
        let target = "/" + String(repeating: "a", count: 7999)
        let head = Harness.request("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head.result > 0)
        #expect(head.target == target)
    }

    @Test func missingHostCanBeAllowedForSuites() {
        let head = Harness.request("GET / HTTP/1.1\r\n\r\n", options: UInt32(CHTTP_OPT_ALLOW_MISSING_HOST))
        #expect(head.result == 18)
        let twice = Harness.request("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                                    options: UInt32(CHTTP_OPT_ALLOW_MISSING_HOST))
        #expect(twice.error == CHTTP_E_MISSING_HOST)
    }

    @Test func emptyInputWithNullPointerIsIncomplete() {
        var msg = chttp_message()
        #expect(chttp_parse_request(nil, 0, nil, &msg) == CHTTP_INCOMPLETE)
        #expect(chttp_parse_response(nil, 0, nil, 0, &msg) == CHTTP_INCOMPLETE)
        var decoder = chttp_chunked_decoder()
        var out = 1
        var err = CHTTP_OK
        #expect(chttp_chunked_decode(&decoder, nil, 0, &out, &err) == Int(CHTTP_INCOMPLETE))
        #expect(out == 0)
    }

    @Test func headerArrayIsUsedUpToCapacityOnly() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\n\r\n"
        #expect(Harness.request([UInt8](text), capacity: 2).result == Int32(text.utf8.count))
        let over = Harness.request([UInt8](text), capacity: 1)
        #expect(over.result == CHTTP_ERROR)
        #expect(over.error == CHTTP_E_TOO_MANY_HEADERS)
    }
}
