import CHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Non-blocking TCP socket operations on raw descriptors. No state, no loop knowledge: the
/// channel and listener types own the descriptors and decide when to call these.
enum Socket {
    static func makeTCP(family: Int32) throws(SystemError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return try syscallValue("socket") { Glibc.socket(family, type, 0) }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemError) {
        var v = value
        _ = try syscallValue("setsockopt") {
            setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    static func setNoDelay(_ fd: Int32) throws(SystemError) {
        try setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Starts a connect; `true` when it completed at once (loopback often does), `false` when the
    /// caller must wait for writability and then check `pendingError`.
    static func connect(_ fd: Int32, to address: SocketAddress) throws(SystemError) -> Bool {
        try address.withSockAddr { (sa, len) throws(SystemError) -> Bool in
            switch try syscall("connect", { Glibc.connect(fd, sa, len) }) {
            case .value: return true
            case .wouldBlock: return false
            }
        }
    }

    /// SO_ERROR after an asynchronous connect: 0 on success.
    static func pendingError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return Glibc.errno }
        return err
    }

    /// A listening socket with SO_REUSEADDR and SO_REUSEPORT so every loop can own one listener
    /// on the same port and the kernel spreads connections across them.
    static func listen(on address: SocketAddress, backlog: Int32) throws(SystemError) -> Int32 {
        let fd = try makeTCP(family: address.family)
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
            _ = try address.withSockAddr { (sa, len) throws(SystemError) in
                try syscallValue("bind") { Glibc.bind(fd, sa, len) }
            }
            _ = try syscallValue("listen") { Glibc.listen(fd, backlog) }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return try withUnsafeMutablePointer(to: &storage) { (p) throws(SystemError) -> SocketAddress in
            let sa = UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self)
            _ = try syscallValue("getsockname") { getsockname(fd, sa, &len) }
            guard let addr = SocketAddress(UnsafePointer(sa)) else { throw SystemError(call: "getsockname", errno: EAFNOSUPPORT) }
            return addr
        }
    }

    /// Accepts one connection (non-blocking, close-on-exec) or returns nil when none is queued.
    static func accept(_ fd: Int32) throws(SystemError) -> Int32? {
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        switch try syscall("accept4", { chttp_accept4(fd, flags) }) {
        case .value(let c): return c
        case .wouldBlock: return nil
        }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    static func writev(_ fd: Int32, _ iov: UnsafePointer<iovec>, count: Int32) throws(SystemError) -> IOResult<Int> {
        try syscall("writev") { Glibc.writev(fd, iov, count) }
    }
}
