/// The TLS engine as a `ByteStreamFilter` for client channels: ciphertext from the socket goes
/// into the engine, plaintext comes out into the channel's inbound buffer, and plaintext the codec
/// writes comes back as ciphertext. Plaintext written before the handshake finishes is held and
/// sent as soon as it completes (the request is queued at TCP connect). Loop-confined.
final class TLSClientFilter: ByteStreamFilter {
    /// One TLS record's worth of plaintext: a head and body that fit are sealed as one record.
    private static let recordPlaintext = 16 * 1024

    private let tls: TLSConnection
    private var heldPlaintext: [UInt8] = []
    /// Reused to join a request's head and body before sealing.
    private let joined = ByteBuffer(capacity: TLSClientFilter.recordPlaintext)

    init(_ tls: TLSConnection) { self.tls = tls }

    var isReady: Bool { tls.isHandshakeComplete }

    /// Produces the ClientHello.
    func start(wire: ByteBuffer) throws {
        _ = try tls.handshake()
        drainCiphertext(into: wire)
    }

    func receive(_ bytes: UnsafeRawBufferPointer, into plaintext: ByteBuffer, wire: ByteBuffer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let fed = tls.feedCiphertext(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[fed...])
            let progressed = try decrypt(into: plaintext, wire: wire)
            if fed == 0 && !progressed { throw TLSError(.protocolError, "TLS engine accepted no ciphertext") }
        }
    }

    /// Runs the handshake and reads plaintext until the engine needs more ciphertext; true when
    /// anything moved.
    private func decrypt(into plaintext: ByteBuffer, wire: ByteBuffer) throws -> Bool {
        defer { drainCiphertext(into: wire) }
        if !tls.isHandshakeComplete {
            guard try tls.handshake() == .complete else { return true }
            if !heldPlaintext.isEmpty {
                let held = heldPlaintext
                heldPlaintext = []
                try held.withUnsafeBytes { try encrypt($0, wire: wire) }
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

    func send(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, wire: ByteBuffer) throws {
        if !tls.isHandshakeComplete {
            heldPlaintext.append(contentsOf: head)
            heldPlaintext.append(contentsOf: body)
            return
        }
        if head.isEmpty || body.isEmpty || head.count + body.count > Self.recordPlaintext {
            try encrypt(head, wire: wire)
            try encrypt(body, wire: wire)
            return
        }
        joined.append(head)
        joined.append(body)
        defer { joined.consume(joined.readableCount) }
        try encrypt(UnsafeRawBufferPointer(joined.readable), wire: wire)
    }

    private func encrypt(_ plaintext: UnsafeRawBufferPointer, wire: ByteBuffer) throws {
        var offset = 0
        while offset < plaintext.count {
            switch try tls.write(UnsafeRawBufferPointer(rebasing: plaintext[offset...])) {
            case .bytes(let n): offset += n
            case .wantWrite: break  // drained below, then the same bytes are offered again
            case .wantRead: throw TLSError(.protocolError, "TLS write wants a read (renegotiation is not supported)")
            case .closed: throw TLSError(.protocolError, "TLS peer closed while we were writing")
            }
            drainCiphertext(into: wire)
        }
    }

    /// Moves pending ciphertext straight from the engine's ring into the channel's outbound
    /// buffer (one memcpy per contiguous piece).
    private func drainCiphertext(into wire: ByteBuffer) {
        while tls.pendingCiphertextCount > 0 {
            let taken = tls.drainCiphertext { chunk in
                wire.append(chunk)
                return chunk.count
            }
            if taken == 0 { return }
        }
    }
}
