import Foundation
import Synchronization
@testable import Pismo
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP endpoint that reads each request's head and then resets the connection (close
/// with SO_LINGER 0 sends RST): the webhook sender gets a connection error, never a status.
/// Raw sockets on purpose — our `HTTPServer` always answers, and this must not.
///
/// Threading: one accept thread, ended by `stop()` (it polls with a short timeout so stopping never
/// waits on a blocked accept). Counters may be read from any task.
final class ResettingEndpoint: Sendable {
    let port: Int
    /// Request heads read (each followed by a reset).
    let requestHeads = Atomic<Int>(0)
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let finished = ShutdownSignal()

    init() throws {
        let (fd, port) = try MotoServer.bindLoopbackEphemeral()
        guard listen(fd, 64) == 0 else {
            close(fd)
            throw MotoError.noPort
        }
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async {
        stopped.store(true, ordering: .relaxed)
        await finished.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { finished.trigger() }
        while !stopped.load(ordering: .relaxed) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            if readHead(connection) { requestHeads.add(1, ordering: .relaxed) }
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(connection)
        }
    }

    /// Reads until the end of the request head (or 2 s of silence).
    private func readHead(_ fd: Int32) -> Bool {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            received += buffer[..<n]
            if received.count >= 4, received.indices.dropLast(3).contains(where: { received[$0..<$0 + 4] == [13, 10, 13, 10] }) {
                return true
            }
        }
    }
}

/// A loopback port that is bound but never listens: connections to it are refused, and because the
/// port stays bound no parallel test's server can be handed it (a probed-then-closed free port could).
final class RefusingPort: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try MotoServer.bindLoopbackEphemeral()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func release() { close(fd) }
}
