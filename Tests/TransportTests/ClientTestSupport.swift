#if canImport(Glibc)
import Glibc
#endif
@testable import Transport

/// Blocking loopback sockets for tests that must speak raw bytes (malformed requests, scripted
/// servers). Every socket has a 5 s receive timeout so a broken test fails instead of hanging.
final class ScriptedSocket: @unchecked Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    static func connect(port: Int) -> ScriptedSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let address = SocketAddress(numericHost: "127.0.0.1", port: port)!
        _ = address.withSockaddr { sa, len in Glibc.connect(fd, sa, len) }
        return ScriptedSocket(fd: fd)
    }

    /// A blocking listener on 127.0.0.1 with a kernel-chosen port.
    static func listen(backlog: Int32 = 16) -> (ScriptedSocket, Int) {
        let fd = try! Socket.listener(SocketAddress(numericHost: "127.0.0.1", port: 0)!, backlog: backlog)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return (ScriptedSocket(fd: fd), try! Socket.localAddress(fd).port)
    }

    func accept() -> ScriptedSocket? {
        let c = Glibc.accept(fd, nil, nil)
        return c < 0 ? nil : ScriptedSocket(fd: c)
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Reads until EOF, timeout, or `until` says the bytes so far are enough.
    func receive(until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !done(out) {
            let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Reads one request head (up to the blank line) plus `Content-Length` body bytes.
    func receiveRequest() -> String? {
        let bytes = receive { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    private var isClosed = false

    func close() {
        if !isClosed { Glibc.close(fd) }
        isClosed = true
    }

    deinit { close() }
}

/// Runs a blocking script on its own thread (scripted servers must not block the test's executor).
/// Detached: nothing waits for a script, and an unjoined thread is what ThreadSanitizer calls a leak.
func onThread(_ body: @escaping @Sendable () -> Void) {
    pthread_detach(PosixThread.spawn(name: "test-script", body).handle)
}

extension String {
    func occurrences(of needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let r = rest.firstRange(of: needle) {
            count += 1
            rest = rest[r.upperBound...]
        }
        return count
    }
}

/// Polls `condition` every 5 ms for up to `limit`; returns whether it came to hold. Bounds a wait
/// that would otherwise hang the run when the code under test is broken.
func holds(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    return condition()
}
