import Glibc

/// What a read or write on a connection's byte path did.
enum StreamProgress: Equatable {
    case bytes(Int)
    case endOfStream
    case waitReadable
    case waitWritable
}

/// The byte path of one connection: the socket itself, or TLS over it (docs/tls.md). The HTTP
/// code above sees the same non-blocking stream either way. Loop-confined, owns the descriptor.
final class ConnectionIO {
    let fd: Int32
    let tls: TLSStream<SocketIO>?
    private(set) var handshakeDone: Bool

    init(fd: Int32, tls engine: TLSConnection?) {
        self.fd = fd
        self.tls = engine.map { TLSStream(engine: $0, io: SocketIO(fd: fd)) }
        handshakeDone = engine == nil
    }

    /// Advances the TLS handshake; `.bytes(0)` once complete (at once for plain sockets).
    func handshake() throws -> StreamProgress {
        guard let tls, !handshakeDone else { return .bytes(0) }
        switch try tls.handshake() {
        case .bytes: handshakeDone = true; return .bytes(0)
        case .closed: return .endOfStream
        case .waitReadable: return .waitReadable
        case .waitWritable: return .waitWritable
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> StreamProgress {
        guard let tls else {
            switch try Socket.read(fd, into: buffer) {
            case .bytes(let n): return .bytes(n)
            case .endOfStream: return .endOfStream
            case .wouldBlock: return .waitReadable
            }
        }
        switch try tls.read(into: buffer) {
        case .bytes(let n): return .bytes(n)
        case .closed: return .endOfStream
        case .waitReadable: return .waitReadable
        case .waitWritable: return .waitWritable
        }
    }

    /// TLS may hold decrypted bytes the socket no longer signals (level-triggered epoll only
    /// reports the socket), so TLS readers keep reading until `.waitReadable`.
    var mustDrainReads: Bool { tls != nil }

    /// Ciphertext queued in the TLS engine waiting for a writable socket.
    var hasPendingOutput: Bool { tls?.hasPendingOutput ?? false }

    func flushPending() throws -> Bool {
        guard let tls else { return true }
        return try tls.flush()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> StreamProgress {
        guard let tls else {
            guard let n = try Socket.send(fd, bytes) else { return .waitWritable }
            return .bytes(n)
        }
        switch try tls.write(bytes) {
        case .bytes(let n): return .bytes(n)
        case .closed: return .endOfStream
        case .waitReadable: return .waitReadable
        case .waitWritable: return .waitWritable
        }
    }

    /// Sends close_notify (best effort) and closes the descriptor.
    func close() {
        if let tls, handshakeDone { try? tls.close() }
        Glibc.close(fd)
    }
}
