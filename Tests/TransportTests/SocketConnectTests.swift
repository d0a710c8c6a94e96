#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Transport

/// `Socket.isConnected` lets the client skip the wait for writability when a non-blocking connect
/// has already finished; it must never claim a connection that is not there.
@Suite struct SocketConnectTests {
    /// Starts a non-blocking connect to 127.0.0.1:`port` and waits (up to 5 s) until it settles.
    private func settledConnect(port: Int) throws -> Int32 {
        let fd = try Socket.makeTCP(family: AF_INET)
        _ = try? Socket.connect(fd, SocketAddress(numericHost: "127.0.0.1", port: port)!)
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&descriptor, 1, 5000)
        return fd
    }

    @Test func anEstablishedConnectionIsConnected() throws {
        let (listener, port) = ScriptedSocket.listen()
        defer { listener.close() }
        let fd = try settledConnect(port: port)
        defer { close(fd) }
        #expect(Socket.pendingError(fd) == 0)
        #expect(Socket.isConnected(fd))
    }

    @Test func aRefusedConnectionIsNotConnected() throws {
        let (listener, port) = ScriptedSocket.listen()
        listener.close()   // nothing listens on `port` any more
        let fd = try settledConnect(port: port)
        defer { close(fd) }
        #expect(!Socket.isConnected(fd))
        #expect(Socket.pendingError(fd) == ECONNREFUSED)
    }

    @Test func aSocketThatNeverConnectedIsNotConnected() throws {
        let fd = try Socket.makeTCP(family: AF_INET)
        defer { close(fd) }
        #expect(!Socket.isConnected(fd))
    }
}
