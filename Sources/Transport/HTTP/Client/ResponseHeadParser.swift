import CHTTPParser

/// Wraps the C response-head parser for one client connection: owns the header array the parser
/// fills (reused for every response) and turns offsets into Swift values only once a head is complete.
/// Like the server's, it re-parses a pending head only when `HeadParseGate` lets it (a new LF, or a
/// line or head past its limit): an endpoint dripping a 64 KiB head byte by byte costs linear time.
final class ResponseHeadParser {
    enum Outcome {
        case incomplete
        case error(chttp_error)
        /// `consumed` bytes form the head; `message` points into the caller's buffer.
        case complete(consumed: Int, message: chttp_message)
    }

    static let headerCapacity = 128
    private let headers = UnsafeMutablePointer<chttp_header>.allocate(capacity: ResponseHeadParser.headerCapacity)
    var limits = chttp_limits()
    private var gate: HeadParseGate
    /// Calls into the C parser (tests check that a drip-fed head costs one per line, not per byte).
    private(set) var parserRuns = 0

    init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = Int.max) {
        limits.max_header_bytes = UInt32(clamping: maxHeaderBytes)
        limits.max_line_bytes = UInt32(clamping: min(maxHeaderBytes, 16 * 1024))
        limits.max_body_bytes = UInt64(maxBodyBytes)
        gate = HeadParseGate(maxLineBytes: Int(limits.max_line_bytes), maxHeadBytes: maxHeaderBytes)
    }

    deinit { headers.deallocate() }

    /// `buf` is the pending head from its first byte. After `.complete`, the caller consumes the head.
    func parseResponse(_ buf: UnsafeRawBufferPointer, requestWasHead: Bool) -> Outcome {
        guard gate.shouldParse(buf) else { return .incomplete }
        parserRuns += 1
        var msg = freshMessage()
        let rc = chttp_parse_response(buf.baseAddress?.assumingMemoryBound(to: CChar.self), buf.count, &limits,
                                      requestWasHead ? 1 : 0, &msg)
        gate.parsed(buf, complete: rc != CHTTP_INCOMPLETE)
        return outcome(rc, msg)
    }

    /// A new exchange: forget what was seen of the previous one.
    func reset() { gate.reset() }

    private func freshMessage() -> chttp_message {
        var msg = chttp_message()
        msg.headers = headers
        msg.num_headers = ResponseHeadParser.headerCapacity
        return msg
    }

    private func outcome(_ rc: Int32, _ msg: chttp_message) -> Outcome {
        if rc > 0 { return .complete(consumed: Int(rc), message: msg) }
        if rc == CHTTP_INCOMPLETE { return .incomplete }
        return .error(msg.error)
    }

    /// Copies the parsed headers out of `buf` (the buffer the message was parsed from).
    func headers(of msg: chttp_message, in buf: UnsafeRawBufferPointer) -> HTTPHeaders {
        var list: [(name: String, value: String)] = []
        list.reserveCapacity(msg.num_headers)
        for i in 0..<msg.num_headers {
            let h = headers[i]
            list.append((string(buf, h.name_off, h.name_len), string(buf, h.value_off, h.value_len)))
        }
        return HTTPHeaders(parsed: list)
    }

    func string(_ buf: UnsafeRawBufferPointer, _ off: UInt32, _ len: UInt32) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buf[Int(off)..<Int(off + len)]), as: UTF8.self)
    }
}

extension chttp_error {
    /// The parser's short stable name for the error, e.g. "bad_content_length".
    var name: String { String(cString: chttp_error_name(self)) }
}
