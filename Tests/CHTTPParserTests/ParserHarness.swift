import CHTTPParser

/// A parsed head, copied out of the C structs into Swift values for assertions.
struct ParsedHead {
    var result: Int32
    var error: chttp_error
    var errorOffset: UInt32
    var method = ""
    var target = ""
    var status: Int32 = 0
    var reason = ""
    var versionMinor: Int32 = 0
    var headers: [(String, String)] = []
    var bodyKind: chttp_body_kind = CHTTP_BODY_NONE
    var contentLength: UInt64 = 0
    var keepAlive = false
    var expectContinue = false
    var upgrade = false
    var gzip = false

    var errorName: String { String(cString: chttp_error_name(error)) }
}

enum Harness {
    static let defaultCapacity = 64

    static func string(_ buffer: GuardedBuffer, _ offset: UInt32, _ length: UInt32) -> String {
        String(decoding: buffer.bytes(Int(offset)..<Int(offset + length)), as: UTF8.self)
    }

    /// Parses a request head from bytes placed against a guard page.
    static func request(_ bytes: [UInt8], capacity: Int = defaultCapacity, limits: chttp_limits? = nil,
                        options: UInt32 = 0) -> ParsedHead {
        let buffer = GuardedBuffer(bytes)
        return parse(buffer, capacity: capacity) { msg in
            withLimits(limits) { chttp_parse_request_opts(buffer.pointer, buffer.count, $0, options, msg) }
        }
    }

    /// Parses a response head from bytes placed against a guard page.
    static func response(_ bytes: [UInt8], requestWasHead: Bool = false, capacity: Int = defaultCapacity,
                         limits: chttp_limits? = nil) -> ParsedHead {
        let buffer = GuardedBuffer(bytes)
        return parse(buffer, capacity: capacity) { msg in
            withLimits(limits) { chttp_parse_response(buffer.pointer, buffer.count, $0, requestWasHead ? 1 : 0, msg) }
        }
    }

    static func request(_ text: String, limits: chttp_limits? = nil, options: UInt32 = 0) -> ParsedHead {
        request(Array(text.utf8), limits: limits, options: options)
    }

    static func response(_ text: String, requestWasHead: Bool = false) -> ParsedHead {
        response(Array(text.utf8), requestWasHead: requestWasHead)
    }

    private static func withLimits(_ limits: chttp_limits?, _ body: (UnsafePointer<chttp_limits>?) -> Int32) -> Int32 {
        guard var l = limits else { return body(nil) }
        return withUnsafePointer(to: &l) { body($0) }
    }

    private static func parse(_ buffer: GuardedBuffer, capacity: Int,
                              _ call: (UnsafeMutablePointer<chttp_message>) -> Int32) -> ParsedHead {
        let headers = UnsafeMutablePointer<chttp_header>.allocate(capacity: max(capacity, 1))
        defer { headers.deallocate() }
        var msg = chttp_message()
        msg.headers = headers
        msg.num_headers = capacity
        let r = call(&msg)
        var head = ParsedHead(result: r, error: msg.error, errorOffset: msg.error_offset)
        guard r > 0 else { return head }
        head.method = string(buffer, msg.method_off, msg.method_len)
        head.target = string(buffer, msg.target_off, msg.target_len)
        head.status = msg.status
        head.reason = string(buffer, msg.reason_off, msg.reason_len)
        head.versionMinor = msg.version_minor
        for i in 0..<msg.num_headers {
            let h = headers[i]
            head.headers.append((string(buffer, h.name_off, h.name_len), string(buffer, h.value_off, h.value_len)))
        }
        head.bodyKind = msg.body_kind
        head.contentLength = msg.content_length
        head.keepAlive = msg.keep_alive != 0
        head.expectContinue = msg.expect_continue != 0
        head.upgrade = msg.upgrade != 0
        head.gzip = msg.content_encoding_gzip != 0
        return head
    }
}

/// Result of feeding a chunked body to the decoder.
struct ChunkedResult {
    /// The last call's return value.
    var result: Int
    /// Input bytes consumed across all calls when the body completed, else nil.
    var consumed: Int?
    var body: [UInt8]
    var error: chttp_error
}

extension Harness {
    /// Decodes `bytes` as a chunked body, handing them to the decoder `step` bytes at a time (each piece
    /// in its own guarded buffer). The result is the final call's: bytes consumed in the last piece, or
    /// an error/incomplete.
    static func chunked(_ bytes: [UInt8], step: Int = Int.max, maxBody: UInt64 = 0) -> ChunkedResult {
        var decoder = chttp_chunked_decoder()
        decoder.max_body_bytes = maxBody
        var body: [UInt8] = []
        var offset = 0
        repeat {
            let piece = Array(bytes[offset..<min(bytes.count, offset &+ step)])
            let buffer = GuardedBuffer(piece)
            var outLen = 0
            var err = CHTTP_OK
            let r = chttp_chunked_decode(&decoder, buffer.pointer, buffer.count, &outLen, &err)
            body += buffer.bytes(0..<outLen)
            offset += piece.count
            if r != Int(CHTTP_INCOMPLETE) || offset >= bytes.count {
                let consumed = r >= 0 ? offset - piece.count + r : nil
                return ChunkedResult(result: r, consumed: consumed, body: body, error: err)
            }
        } while true
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
