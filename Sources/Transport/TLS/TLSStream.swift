/// What a `TLSStream` needs from the non-blocking socket beneath it.
public protocol TLSStreamIO {
    /// Receives into `buffer` (e.g. `recv`).
    mutating func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSStreamIOResult
    /// Sends from `bytes` (e.g. `send` with MSG_NOSIGNAL).
    mutating func send(_ bytes: UnsafeRawBufferPointer) throws -> TLSStreamIOResult
}

public enum TLSStreamIOResult: Equatable, Sendable {
    case bytes(Int)
    case wouldBlock
    /// Receive only: the peer closed its side.
    case endOfStream
}

/// The TLS filter in a connection's byte path: plaintext above, a non-blocking socket below,
/// the engine in between. It runs the engine's retry protocol (drain after every step, refill on
/// `.wantRead`, EOF handling) so the HTTP codec sees a plain non-blocking byte stream, and tells
/// the loop which readiness to wait for when it cannot make progress.
///
/// Threading: owned by the connection's loop thread, like its `TLSConnection`.
public final class TLSStream<IO: TLSStreamIO> {
    public enum Progress: Equatable, Sendable {
        /// Plaintext bytes read or written; for `handshake()`, `.bytes(0)` means complete.
        case bytes(Int)
        /// The peer ended the TLS session with close_notify.
        case closed
        /// Nothing more until the socket is readable / writable.
        case waitReadable
        case waitWritable
    }

    public let engine: TLSConnection
    public var io: IO
    private var sawEndOfStream = false

    public init(engine: TLSConnection, io: IO) {
        self.engine = engine
        self.io = io
    }

    /// Ciphertext still queued for the socket (e.g. after `.waitWritable`).
    public var hasPendingOutput: Bool { engine.pendingCiphertextCount > 0 }

    public func handshake() throws -> Progress {
        while true {
            let status = try engine.handshake()
            let flushed = try flush()
            switch status {
            case .complete: return flushed ? .bytes(0) : .waitWritable
            case .wantWrite: if !flushed { return .waitWritable }
            case .wantRead: if let wait = try refill() { return wait }
            }
        }
    }

    /// Reads plaintext into `buffer`. Throws `TLSError(.unexpectedEOF)` when the socket ends
    /// without close_notify.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Progress {
        while true {
            let result = try engine.read(into: buffer)
            // A read can produce ciphertext (handshake replies, key updates); send it now.
            let flushed = try flush()
            switch result {
            case .bytes(let count): return .bytes(count)
            case .closed: return .closed
            case .wantWrite: if !flushed { return .waitWritable }
            case .wantRead: if let wait = try refill() { return wait }
            }
        }
    }

    /// Encrypts and sends as much of `bytes` as the socket takes. `.bytes(n)` may be short; the
    /// caller keeps the rest (and must offer the same bytes first on the next call).
    public func write(_ bytes: UnsafeRawBufferPointer) throws -> Progress {
        var written = 0
        while written < bytes.count {
            let result = try engine.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
            let flushed = try flush()
            switch result {
            case .bytes(let count): written += count
            case .closed: return written > 0 ? .bytes(written) : .closed
            case .wantWrite: if !flushed { return written > 0 ? .bytes(written) : .waitWritable }
            case .wantRead:
                if written > 0 { return .bytes(written) }
                if let wait = try refill() { return wait }
            }
            // Encrypted records the socket did not take yet: stop before queueing more.
            if !flushed { return .bytes(written) }
        }
        return .bytes(written)
    }

    /// Sends pending ciphertext; true when none is left.
    @discardableResult
    public func flush() throws -> Bool {
        var blocked = false
        while engine.pendingCiphertextCount > 0 && !blocked {
            _ = try engine.drainCiphertext { chunk in
                switch try io.send(chunk) {
                case .bytes(let count): return count
                case .wouldBlock, .endOfStream:
                    blocked = true
                    return 0
                }
            }
        }
        return engine.pendingCiphertextCount == 0
    }

    /// Queues close_notify and tries to send it; the caller closes the socket afterwards.
    public func close() throws {
        _ = try engine.shutdown()
        try flush()
    }

    /// Moves ciphertext from the socket into the engine. Returns nil when the engine has new input
    /// (or has learnt of EOF), or the readiness to wait for.
    private func refill() throws -> Progress? {
        if sawEndOfStream {
            // The engine saw EOF and still wants input: it will throw or report .closed on its own;
            // reaching here means it could not, which only a bug would cause.
            throw TLSError(.unexpectedEOF, "connection closed without TLS close_notify (data may be truncated)")
        }
        var outcome = TLSStreamIOResult.wouldBlock
        let stored = try engine.fillCiphertext { space in
            outcome = try io.receive(into: space)
            if case .bytes(let count) = outcome { return count }
            return 0
        }
        if stored > 0 { return nil }
        switch outcome {
        case .endOfStream:
            sawEndOfStream = true
            engine.receivedEOF()
            return nil
        case .wouldBlock, .bytes:
            return .waitReadable
        }
    }
}
