import Foundation
import Transport
@testable import Pismo
#if canImport(Glibc)
import Glibc
#endif

/// TEST-ONLY stand-in for the Transport `HTTPClient` (branch `transport`, not merged yet): one
/// blocking HTTP/1.1 exchange per call over a fresh loopback TCP connection (`Connection: close`),
/// run off the cooperative pool. Enough to drive moto and fake metadata endpoints; replace with the
/// real client once it lands.
struct LoopbackHTTPClient: HTTPExecuting {
    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.exchange(request, timeout: timeout) })
            }
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case badURL(String), connect(Int32), io(String), malformed(String)
        var description: String {
            switch self {
            case .badURL(let u): "bad URL \(u)"
            case .connect(let e): "connection refused (errno \(e))"
            case .io(let s): "I/O error: \(s)"
            case .malformed(let s): "malformed response: \(s)"
            }
        }
    }

    static func exchange(_ request: HTTPRequest, timeout: Duration) throws -> HTTPResponse {
        guard let url = URLParts(request.url), url.scheme == "http" else { throw Failure.badURL(request.url) }
        let fd = try connect(host: url.host, port: url.port ?? 80, timeout: timeout)
        defer { close(fd) }
        var head = "\(request.method) \(url.path)\(url.query.isEmpty ? "" : "?" + url.query) HTTP/1.1\r\n"
        if request.headers["Host"] == nil { head += "Host: \(url.hostHeader)\r\n" }
        for (name, value) in request.headers where name.lowercased() != "content-length" && name.lowercased() != "connection" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
        try writeAll(fd, Array(head.utf8) + request.body)
        return try parse(readAll(fd), isHead: request.method == "HEAD")
    }

    private static func connect(host: String, port: Int, timeout: Duration) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket") }
        let seconds = max(1, Int(timeout.components.seconds) + 1)
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw Failure.connect(e)
        }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.io("send errno \(errno)") }
            offset += n
        }
    }

    private static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return out }
            guard n > 0 else { throw Failure.io(errno == EAGAIN ? "read timeout" : "recv errno \(errno)") }
            out += buffer[0..<n]
        }
    }

    static func parse(_ raw: [UInt8], isHead: Bool) throws -> HTTPResponse {
        guard let end = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { throw Failure.malformed("no header end") }
        let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed(lines[0]) }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(raw[end.upperBound...])
        if isHead { body = [] } else if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let length = headers["Content-Length"].flatMap(Int.init), length < body.count {
            body = Array(body[..<length])
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = data[i...].firstRange(of: Array("\r\n".utf8)) else { throw Failure.malformed("chunk size") }
            let sizeText = String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw Failure.malformed("chunk size") }
            if size == 0 { return out }
            let start = lineEnd.upperBound
            guard start + size <= data.count else { throw Failure.malformed("truncated chunk") }
            out += data[start..<start + size]
            i = start + size + 2
        }
        return out
    }
}
