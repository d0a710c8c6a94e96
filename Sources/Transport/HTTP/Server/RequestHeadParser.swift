import CHTTPParser
import Glibc

/// Wraps the C request-head parser for one server connection: owns the header array (reused for
/// every request) and applies docs/http-parser.md's rule that a head is only re-parsed when the
/// newly received bytes contain a LF, so a byte-at-a-time sender costs linear, not quadratic, time.
/// Loop-confined.
final class RequestHeadParser {
    static let headerCapacity = 128
    let headers: UnsafeMutablePointer<chttp_header>
    var limits: chttp_limits
    var message = chttp_message()
    /// Bytes of the pending head already known to contain no complete head.
    private var scanned = 0

    init(maxHeaderBytes: Int, maxBodyBytes: Int) {
        headers = .allocate(capacity: Self.headerCapacity)
        limits = chttp_limits(
            max_header_bytes: UInt32(clamping: maxHeaderBytes), max_line_bytes: UInt32(clamping: min(maxHeaderBytes, 16384)),
            max_body_bytes: UInt64(maxBodyBytes))
    }

    deinit { headers.deallocate() }

    /// Parses a request head; CHTTP_INCOMPLETE without calling the parser when no new LF arrived.
    func parseRequest(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard hasNewLineFeed(bytes) else { return Int(CHTTP_INCOMPLETE) }
        reset()
        let result = Int(chttp_parse_request(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, &limits, &message))
        finish(result, bytes.count)
        return result
    }

    private func reset() {
        message = chttp_message()
        message.headers = headers
        message.num_headers = Self.headerCapacity
    }

    private func finish(_ result: Int, _ length: Int) {
        // Only an incomplete head is re-parsed later; remember how far it has been looked at.
        scanned = result == Int(CHTTP_INCOMPLETE) ? length : 0
    }

    private func hasNewLineFeed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if scanned > bytes.count { scanned = 0 }
        guard bytes.count > scanned, let base = bytes.baseAddress else { return false }
        return memchr(base + scanned, 0x0A, bytes.count - scanned) != nil
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
