#if canImport(Glibc)
import Glibc
#endif

/// Writes response heads straight into a channel's outbound buffer (no intermediate arrays).
enum ResponseEncoder {
    static func write(_ response: HTTPResponse, keepAlive: Bool, headOnly: Bool, date: DateCache, into out: ByteBuffer) {
        append("HTTP/1.1 ", out)
        append(String(response.status), out)
        out.append(0x20)
        append(reasonPhrase(response.status), out)
        append("\r\n", out)
        var hasDate = false
        for (name, value) in response.headers {
            if name.caseInsensitiveEquals("Content-Length") || name.caseInsensitiveEquals("Connection")
                || name.caseInsensitiveEquals("Transfer-Encoding") { continue }
            if name.caseInsensitiveEquals("Date") { hasDate = true }
            append(name, out); append(": ", out); append(value, out); append("\r\n", out)
        }
        if !hasDate { date.withCurrentLine { out.append($0) } }
        if response.status >= 200 && response.status != 204 && response.status != 304 {
            append("Content-Length: ", out)
            append(String(response.body.count), out)
            append("\r\n", out)
        }
        append(keepAlive ? "\r\n" : "Connection: close\r\n\r\n", out)
        _ = headOnly
    }

    @inline(__always)
    static func append(_ string: String, _ out: ByteBuffer) {
        var s = string
        s.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

/// The `Date:` header line, formatted once per second per loop (IMF-fixdate, RFC 9110 5.6.7).
final class DateCache {
    private var second: time_t = 0
    private var line: [UInt8] = []

    func withCurrentLine(_ body: (UnsafeRawBufferPointer) -> Void) {
        let now = time(nil)
        if now != second { refresh(now) }
        line.withUnsafeBytes(body)
    }

    private func refresh(_ now: time_t) {
        second = now
        var t = now
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "Date: \(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT\r\n"
        line = Array(text.utf8)
    }
}
