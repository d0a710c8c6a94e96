import Foundation
import Glibc
import Transport

/// A blocking loopback TCP client for poking the server with exact bytes.
/// `@unchecked Sendable`: each test uses one from a single task at a time. Blocking calls run on
/// Dispatch's pool (see `offPool`), never on Swift's 2-thread cooperative pool, which they would starve.
final class RawSocket: @unchecked Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 { throw SystemError(call: "connect", errno: errno) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Reads until the peer closes (or the 5 s receive timeout).
    func readToEnd() async -> String { await offPool { self.blockingReadToEnd() } }

    func blockingReadToEnd() -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            result += buffer[..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Reads until `count` occurrences of `marker` have arrived (or close / timeout).
    func read(untilOccurrences count: Int, of marker: String) async -> String {
        await offPool { self.blockingRead(untilOccurrences: count, of: marker) }
    }

    func blockingRead(untilOccurrences count: Int, of marker: String) -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while String(decoding: result, as: UTF8.self).components(count: marker) < count {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            result += buffer[..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension String {
    func components(count marker: String) -> Int {
        var n = 0
        var rest = self[...]
        while let range = rest.range(of: marker) {
            n += 1
            rest = rest[range.upperBound...]
        }
        return n
    }
}

extension RawSocket {
    convenience init(adopting fd: Int32) {
        self.init(fd: fd)
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}

/// A blocking loopback listener for scripting exact server bytes.
final class RawListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(backlog: Int32 = 16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        listen(fd, backlog)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { Glibc.close(fd) }

    func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }

    func acceptOne() async throws -> RawSocket {
        try await offPool { Result { try self.blockingAcceptOne() } }.get()
    }

    func blockingAcceptOne() throws -> RawSocket {
        let client = accept(fd, nil, nil)
        if client < 0 { throw SystemError(call: "accept", errno: errno) }
        return RawSocket(adopting: client)
    }
}

/// Runs a blocking call on Dispatch's global pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
