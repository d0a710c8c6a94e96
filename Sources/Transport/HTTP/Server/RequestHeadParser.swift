import CHTTPParser
import Glibc

/// Wraps the C request-head parser for one server connection: owns the header array (reused for
/// every request) and re-parses a pending head only when `HeadParseGate` says it can be judged anew
/// (a new LF, or a line or head past its limit), so a byte-at-a-time sender costs linear, not
/// quadratic, time, and an endless line is answered 414 at once. Loop-confined.
final class RequestHeadParser {
    static let headerCapacity = 128
    let headers: UnsafeMutablePointer<chttp_header>
    var limits: chttp_limits
    var message = chttp_message()
    private var gate: HeadParseGate

    init(maxHeaderBytes: Int, maxBodyBytes: Int) {
        headers = .allocate(capacity: Self.headerCapacity)
        limits = chttp_limits(
            max_header_bytes: UInt32(clamping: maxHeaderBytes), max_line_bytes: UInt32(clamping: min(maxHeaderBytes, 16384)),
            max_body_bytes: UInt64(maxBodyBytes))
        gate = HeadParseGate(maxLineBytes: Int(limits.max_line_bytes), maxHeadBytes: maxHeaderBytes)
    }

    deinit { headers.deallocate() }

    /// Parses a request head; CHTTP_INCOMPLETE without calling the parser when the gate says
    /// nothing new can be learnt.
    func parseRequest(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard gate.shouldParse(bytes) else { return Int(CHTTP_INCOMPLETE) }
        reset()
        let result = Int(chttp_parse_request(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, &limits, &message))
        gate.parsed(bytes, complete: result != Int(CHTTP_INCOMPLETE))
        return result
    }

    private func reset() {
        message = chttp_message()
        message.headers = headers
        message.num_headers = Self.headerCapacity
    }

    static func string(_ bytes: UnsafeRawBufferPointer, _ offset: UInt32, _ length: UInt32) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<Int(offset + length)]), as: UTF8.self)
    }

    func headerList(_ bytes: UnsafeRawBufferPointer) -> HTTPHeaders {
        var list: [(name: String, value: String)] = []
        list.reserveCapacity(message.num_headers)
        for i in 0..<message.num_headers {
            let h = headers[i]
            list.append((Self.string(bytes, h.name_off, h.name_len), Self.string(bytes, h.value_off, h.value_len)))
        }
        return HTTPHeaders(parsed: list)
    }

    var errorName: String { String(cString: chttp_error_name(message.error)) }
    var errorStatus: Int { Int(chttp_error_status(message.error)) }
}
