import CHTTPParser
import Testing

struct ValidChunked: CustomTestStringConvertible, Sendable {
    let name: String
    let encoded: String
    let decoded: String
    var testDescription: String { name }
}

let validChunkedBodies: [ValidChunked] = [
    .init(name: "empty body", encoded: "0\r\n\r\n", decoded: ""),
    .init(name: "one chunk", encoded: "5\r\nhello\r\n0\r\n\r\n", decoded: "hello"),
    .init(name: "several chunks", encoded: "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", decoded: "hello world"),
    .init(name: "upper and lower hex", encoded: "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n",
          decoded: "0123456789abcdefghijk"),
    .init(name: "leading zeros", encoded: "0000000000000000000003\r\nabc\r\n000\r\n\r\n", decoded: "abc"),
    .init(name: "data containing CRLF", encoded: "4\r\n\r\n\r\n\r\n0\r\n\r\n", decoded: "\r\n\r\n"),
    .init(name: "extensions", encoded: "3;name\r\nabc\r\n3;a=b;c=d\r\ndef\r\n0;last\r\n\r\n", decoded: "abcdef"),
    .init(name: "quoted extension", encoded: "3;a=\"x;y \\\" z\"\r\nabc\r\n0\r\n\r\n", decoded: "abc"),
    .init(name: "BWS around extension", encoded: "3 \t; a = b ;c\r\nabc\r\n0\r\n\r\n", decoded: "abc"),
    .init(name: "trailers", encoded: "3\r\nabc\r\n0\r\nVary: *\r\nX-Checksum: 1234\r\n\r\n", decoded: "abc"),
    .init(name: "empty trailer value", encoded: "0\r\nX:\r\n\r\n", decoded: ""),
]

struct RejectedChunked: CustomTestStringConvertible, Sendable {
    let name: String
    let encoded: String
    let error: UInt32
    init(_ name: String, _ encoded: String, _ error: chttp_error) {
        self.name = name
        self.encoded = encoded
        self.error = error.rawValue
    }
    var testDescription: String { name }
}

let rejectedChunkedBodies: [RejectedChunked] = [
    .init("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("minus", "-5\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("plus", "+5\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("empty size", "\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("overflow", "10000000000000000\r\nx\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("overflow with many digits", "fffffffffffffffffffff\r\nx\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("trailing space", "5 \r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("leading space", " 5\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("non-hex digit", "5g\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("underscore", "0_5\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("extension without name", "5;\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("extension value missing", "5;a=\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("unbalanced quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("trailing space after extension", "5;a \r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("no semicolon before extension", "5 a=b\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_SIZE),
    .init("bare LF after size", "5\nhello\r\n0\r\n\r\n", CHTTP_E_BARE_LF),
    .init("bare CR after size", "5\rhello\r\n0\r\n\r\n", CHTTP_E_BARE_CR),
    .init("LF-only framing", "5\nhello\n0\n\n", CHTTP_E_BARE_LF),
    .init("data longer than size", "3\r\nhello\r\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_DATA),
    .init("missing CRLF after data", "5\r\nhello0\r\n\r\n", CHTTP_E_BAD_CHUNK_DATA),
    .init("LF only after data", "5\r\nhello\n0\r\n\r\n", CHTTP_E_BAD_CHUNK_DATA),
    .init("bare LF ending the body", "0\r\n\n", CHTTP_E_BARE_LF),
    .init("bare CR ending the body", "0\r\n\rX", CHTTP_E_BARE_CR),
    .init("trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", CHTTP_E_BAD_TRAILER),
    .init("trailer without colon", "0\r\nNoColon\r\n\r\n", CHTTP_E_BAD_TRAILER),
    .init("trailer name with space", "0\r\nA B: c\r\n\r\n", CHTTP_E_BAD_TRAILER),
    .init("trailer with NUL", "0\r\nA: \u{0}\r\n\r\n", CHTTP_E_BAD_TRAILER),
    .init("trailer with bare LF", "0\r\nA: b\n\r\n", CHTTP_E_BARE_LF),
]

@Suite("Chunked decoder")
struct ChunkedDecoderTests {
    @Test("decodes whole, byte by byte and in threes", arguments: validChunkedBodies)
    func decodes(_ c: ValidChunked) {
        let input = [UInt8](c.encoded + "NEXT")
        for step in [Int.max, 1, 3] {
            let r = Harness.chunked(input, step: step)
            #expect(r.consumed == c.encoded.utf8.count, "step \(step): \(r.result) \(r.error)")
            #expect(r.body == [UInt8](c.decoded), "step \(step)")
        }
    }

    @Test("every proper prefix is incomplete", arguments: validChunkedBodies)
    func prefixesAreIncomplete(_ c: ValidChunked) {
        let input = [UInt8](c.encoded)
        for n in 0..<input.count {
            #expect(Harness.chunked(Array(input[0..<n])).result == Int(CHTTP_INCOMPLETE), "prefix \(n)")
        }
    }

    @Test("rejects malformed framing, whole and byte by byte", arguments: rejectedChunkedBodies)
    func rejects(_ c: RejectedChunked) {
        for step in [Int.max, 1] {
            let r = Harness.chunked([UInt8](c.encoded), step: step)
            #expect(r.result == Int(CHTTP_ERROR), "step \(step)")
            #expect(r.error.rawValue == c.error, "step \(step): got \(String(cString: chttp_error_name(r.error)))")
        }
    }

    @Test func bodyOverTheLimitIsRejected() {
        let r = Harness.chunked([UInt8]("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n"), maxBody: 10)
        #expect(r.result == Int(CHTTP_ERROR))
        #expect(r.error == CHTTP_E_BODY_TOO_LARGE)
        #expect(chttp_error_status(r.error) == 413)
        let fits = Harness.chunked([UInt8]("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), maxBody: 10)
        #expect(fits.body == [UInt8]("helloworld"))
    }

    @Test func hugeChunkExtensionIsRejected() {
        let ext = String(repeating: "a", count: 1 << 20)
        let r = Harness.chunked([UInt8]("1;\(ext)\r\nx\r\n0\r\n\r\n"))
        #expect(r.error == CHTTP_E_BAD_CHUNK_SIZE)
    }

    @Test func hugeTrailerIsRejected() {
        let value = String(repeating: "v", count: 2_000_000)
        let r = Harness.chunked([UInt8]("0\r\nX: \(value)\r\n\r\n"))
        #expect(r.error == CHTTP_E_HEADERS_TOO_LARGE)
    }

    @Test func decoderAtTheEndConsumesNothingMore() {
        var decoder = chttp_chunked_decoder()
        let buffer = GuardedBuffer([UInt8]("0\r\n\r\nGET"))
        var out = 0
        var err = CHTTP_OK
        #expect(chttp_chunked_decode(&decoder, buffer.pointer, buffer.count, &out, &err) == 5)
        let rest = GuardedBuffer([UInt8]("GET"))
        #expect(chttp_chunked_decode(&decoder, rest.pointer, rest.count, &out, &err) == 0)
        #expect(out == 0)
    }

    @Test func largeChunkSplitAcrossCallsIsCompactedInPlace() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let input = [UInt8]("186a0\r\n") + data + [UInt8]("\r\n0\r\n\r\n")
        let r = Harness.chunked(input, step: 4093)
        #expect(r.consumed == input.count)
        #expect(r.body == data)
    }
}
