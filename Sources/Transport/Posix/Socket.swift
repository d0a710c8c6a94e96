import CSystemShims
import Glibc

/// Result of a non-blocking read.
public enum ReadResult: Equatable {
    case bytes(Int)
    case endOfStream
    case wouldBlock
}

/// Non-blocking TCP socket calls over raw descriptors, each through `syscall`. Knows nothing of
/// the loop; the caller owns and closes the descriptor.
enum Socket {
    static func makeTCP(family: Int32) throws(SystemError) -> Int32 {
        try syscallValue("socket") { socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemError) {
        var v = value
        _ = try syscallValue("setsockopt") { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Latency over batching: requests and responses are written whole, so Nagle only delays them.
    static func setNoDelay(_ fd: Int32) {
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Fixes the kernel's send buffer (the kernel doubles the value for its bookkeeping and stops
    /// autotuning it). Best effort, like the other per-connection options.
    static func setSendBuffer(_ fd: Int32, bytes: Int) {
        try? setOption(fd, SOL_SOCKET, SO_SNDBUF, Int32(clamping: bytes))
    }

    static func bind(_ fd: Int32, _ address: SocketAddress) throws(SystemError) {
        _ = try syscallValue("bind") { address.withSockaddr { Glibc.bind(fd, $0, $1) } }
    }

    static func listen(_ fd: Int32, backlog: Int32) throws(SystemError) {
        _ = try syscallValue("listen") { Glibc.listen(fd, backlog) }
    }

    /// Starts a connect; true when already connected, false when in progress (wait for writable,
    /// then read `pendingError`).
    static func connect(_ fd: Int32, _ address: SocketAddress) throws(SystemError) -> Bool {
        switch try syscall("connect", { address.withSockaddr { Glibc.connect(fd, $0, $1) } }) {
        case .value: return true
        case .wouldBlock: return false
        }
    }

    /// Whether an in-progress connect has already finished. On loopback the handshake completes
    /// inside `connect` itself (the kernel delivers the SYN and its answer before returning
    /// EINPROGRESS), so asking once saves the wait for writability and the SO_ERROR read that
    /// follow it: three system calls and a loop pass on every new connection. False when the
    /// connect is still pending or has failed; the caller then waits for writable as before.
    static func isConnected(_ fd: Int32) -> Bool {
        var peer = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
    }

    /// SO_ERROR: 0 when a non-blocking connect succeeded, else its errno.
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return Glibc.errno }
        return value
    }

    /// A new non-blocking connection, or nil when none is waiting.
    static func accept(_ fd: Int32) throws(SystemError) -> Int32? {
        switch try syscall("accept4", { chttp_accept_nonblocking(fd) }) {
        case .value(let client): return client
        case .wouldBlock: return nil
        }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        switch try syscall("read", { Glibc.read(fd, buffer.baseAddress, buffer.count) }) {
        case .value(0): return .endOfStream
        case .value(let n): return .bytes(n)
        case .wouldBlock: return .wouldBlock
        }
    }

    /// send with MSG_NOSIGNAL: a peer that went away is an EPIPE error, not a process-killing signal.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int? {
        switch try syscall("send", { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }) {
        case .value(let n): return n
        case .wouldBlock: return nil
        }
    }

    /// sendmsg of an iovec array (writev semantics without SIGPIPE); nil when the socket is full.
    static func sendv(_ fd: Int32, _ iov: UnsafeMutablePointer<iovec>, count: Int) throws(SystemError) -> Int? {
        var message = msghdr()
        message.msg_iov = iov
        message.msg_iovlen = count
        switch try syscall("sendmsg", { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }) {
        case .value(let n): return n
        case .wouldBlock: return nil
        }
    }

    static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in
                try syscallValue("getsockname") { getsockname(fd, sa, &length) }
            }
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(raw: $0, length: length) }
        }
    }
}

extension Socket {
    static func peerAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in
                try syscallValue("getpeername") { getpeername(fd, sa, &length) }
            }
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(raw: $0, length: length) }
        }
    }

    /// A non-blocking listening socket on `address`; SO_REUSEPORT so every loop can have its own
    /// listener on the same port and the kernel spreads new connections between them.
    static func listener(_ address: SocketAddress, backlog: Int32) throws(SystemError) -> Int32 {
        let fd = try makeTCP(family: address.family)
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
            try bind(fd, address)
            try listen(fd, backlog: backlog)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
