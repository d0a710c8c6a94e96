import CHTTPParser
import Testing

/// What a server connection loop does with the parser: parse a head at the current offset, skip the
/// body it frames, and go on with the next request in the same buffer.
private struct Pipeline {
    var requests: [(method: String, target: String, body: [UInt8])] = []
    var ending = "end"  // end | incomplete | error name
}

private func runPipeline(_ text: String) -> Pipeline {
    let bytes = [UInt8](text)
    var out = Pipeline()
    var pos = 0
    while pos < bytes.count {
        let head = Harness.request(Array(bytes[pos...]))
        if head.result == CHTTP_INCOMPLETE { out.ending = "incomplete"; return out }
        if head.result == CHTTP_ERROR { out.ending = head.errorName; return out }
        pos += Int(head.result)
        var body: [UInt8] = []
        switch head.bodyKind {
        case CHTTP_BODY_LENGTH:
            let end = pos + Int(head.contentLength)
            if end > bytes.count { out.ending = "incomplete"; return out }
            body = Array(bytes[pos..<end])
            pos = end
        case CHTTP_BODY_CHUNKED:
            let r = Harness.chunked(Array(bytes[pos...]), step: 7)
            guard let consumed = r.consumed else {
                out.ending = r.result == Int(CHTTP_INCOMPLETE) ? "incomplete" : "chunked error"
                return out
            }
            body = r.body
            pos += consumed
        default:
            break
        }
        out.requests.append((head.method, head.target, body))
    }
    return out
}

@Suite("Pipelining")
struct PipeliningTests {
    @Test func twoGets() {
        let p = runPipeline("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(p.requests.map(\.target) == ["/a", "/b"])
        #expect(p.ending == "end")
    }

    @Test func contentLengthThenGet() {
        let p = runPipeline("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(p.requests.map(\.target) == ["/a", "/b"])
        #expect(p.requests.first?.body == [UInt8]("hello"))
    }

    @Test func chunkedThenGet() {
        let p = runPipeline("POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(p.requests.map(\.target) == ["/a", "/b"])
        #expect(p.requests.first?.body == [UInt8]("hello"))
    }

    @Test func secondRequestIncomplete() {
        let p = runPipeline("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHo")
        #expect(p.requests.map(\.target) == ["/a"])
        #expect(p.ending == "incomplete")
    }

    @Test func goodThenBad() {
        let p = runPipeline("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        #expect(p.requests.map(\.target) == ["/a"])
        #expect(p.ending == "bad_content_length")
    }

    @Test func bodyTruncatedAtEndOfInput() {
        let p = runPipeline("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello")
        #expect(p.requests.isEmpty)
        #expect(p.ending == "incomplete")
    }

    @Test func smuggledPrefixIsNotASecondRequest() {
        // A front end honouring Content-Length would forward "0\r\n\r\nGET /admin" as body; we refuse
        // the whole message instead of picking one framing.
        let p = runPipeline("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(p.requests.isEmpty)
        #expect(p.ending == "cl_and_te")
    }

    @Test func manyPipelinedRequestsOneBuffer() {
        let one = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
        let p = runPipeline(String(repeating: one, count: 200))
        #expect(p.requests.count == 200)
        #expect(p.ending == "end")
    }
}

@Suite("Response sequences")
struct ResponseSequenceTests {
    @Test func keepAliveResponsesBackToBack() {
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
        let second = "HTTP/1.1 204 No Content\r\n\r\n"
        let bytes = [UInt8](first + "abc" + second)
        let a = Harness.response(bytes)
        #expect(a.result == Int32(first.utf8.count))
        #expect(a.keepAlive)
        let rest = Array(bytes[(Int(a.result) + Int(a.contentLength))...])
        let b = Harness.response(rest)
        #expect(b.result == Int32(second.utf8.count))
        #expect(b.status == 204)
    }

    @Test func interimResponseThenFinal() {
        let interim = "HTTP/1.1 100 Continue\r\n\r\n"
        let bytes = [UInt8](interim + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        let a = Harness.response(bytes)
        #expect(a.status == 100)
        #expect(a.bodyKind == CHTTP_BODY_NONE)
        let b = Harness.response(Array(bytes[Int(a.result)...]))
        #expect(b.status == 200)
    }

    @Test func truncatedBodyIsVisibleToTheCaller() {
        // The parser frames; deciding that EOF came too early (CHTTP_E_TRUNCATED) is the caller's job,
        // so it must learn the exact length it is owed.
        let head = Harness.response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        #expect(head.bodyKind == CHTTP_BODY_LENGTH)
        #expect(head.contentLength == 10)
        #expect(String(cString: chttp_error_name(CHTTP_E_TRUNCATED)) == "truncated")
    }
}
