/// The TLS engine as a `ByteStreamFilter` for client channels: ciphertext from the socket goes
/// into the engine, plaintext comes out into the channel's inbound buffer, and plaintext the codec
/// writes comes back as ciphertext. Plaintext written before the handshake finishes is held and
/// sent as soon as it completes (the request is queued at TCP connect). Loop-confined.
final class TLSClientFilter: ByteStreamFilter {
    private let tls: TLSConnection
    private var heldPlaintext: [UInt8] = []
    private var output: [UInt8] = []

    init(_ tls: TLSConnection) { self.tls = tls }

    var isReady: Bool { tls.isHandshakeComplete }

    /// Produces the ClientHello.
    func start() throws {
        _ = try tls.handshake()
        drainCiphertext()
    }

    func receive(_ bytes: UnsafeRawBufferPointer, into plaintext: ByteBuffer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let fed = tls.feedCiphertext(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[fed...])
            let progressed = try decrypt(into: plaintext)
            if fed == 0 && !progressed { throw TLSError(.protocolError, "TLS engine accepted no ciphertext") }
        }
    }

    /// Runs the handshake and reads plaintext until the engine needs more ciphertext; true when
    /// anything moved.
    private func decrypt(into plaintext: ByteBuffer) throws -> Bool {
        defer { drainCiphertext() }
        if !tls.isHandshakeComplete {
            guard try tls.handshake() == .complete else { return true }
            if !heldPlaintext.isEmpty {
                let held = heldPlaintext
                heldPlaintext = []
                try encrypt(held)
            }
        }
        var moved = false
        while true {
            plaintext.reserveWritable(16 * 1024)
            let tail = UnsafeMutableRawBufferPointer(start: plaintext.storage + plaintext.writerIndex,
                                                     count: plaintext.capacity - plaintext.writerIndex)
            guard case .bytes(let n) = try tls.read(into: tail), n > 0 else { return moved }
            plaintext.commitWritten(n)
            moved = true
        }
    }

    func send(_ plaintext: [UInt8]) throws -> [UInt8] {
        if !tls.isHandshakeComplete {
            heldPlaintext.append(contentsOf: plaintext)
            return []
        }
        try encrypt(plaintext)
        return takeOutput()
    }

    private func encrypt(_ plaintext: [UInt8]) throws {
        try plaintext.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                switch try tls.write(UnsafeRawBufferPointer(rebasing: raw[offset...])) {
                case .bytes(let n): offset += n
                case .wantWrite: break  // drained below, then the same bytes are offered again
                case .wantRead: throw TLSError(.protocolError, "TLS write wants a read (renegotiation is not supported)")
                case .closed: throw TLSError(.protocolError, "TLS peer closed while we were writing")
                }
                drainCiphertext()
            }
        }
    }

    /// Moves pending ciphertext straight from the engine's ring into `output` (one memcpy per
    /// contiguous piece; zero-filling first and trimming after cost more than the encryption).
    private func drainCiphertext() {
        while tls.pendingCiphertextCount > 0 {
            let taken = tls.drainCiphertext { chunk in
                output.append(contentsOf: chunk)
                return chunk.count
            }
            if taken == 0 { return }
        }
    }

    func takeOutput() -> [UInt8] {
        defer { output = [] }
        return output
    }
}
