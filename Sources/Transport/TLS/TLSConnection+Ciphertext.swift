import CSystemShims

/// The network side: ciphertext in from the socket, ciphertext out to it. The BIO pair is a pair
/// of ring buffers; the zero-copy calls lend the owner the ring's memory directly so a socket
/// `recv` lands in it and a `send` reads from it, with no intermediate buffer.
extension TLSConnection {
    /// Ciphertext produced by the engine and waiting for the socket.
    public var pendingCiphertextCount: Int { Int(BIO_ctrl_pending(network)) }

    /// Room left for incoming ciphertext; 0 means plaintext must be read before more can come in.
    public var inboundCiphertextSpace: Int { Int(BIO_ctrl_get_write_guarantee(network)) }

    /// Zero-copy receive: lends the largest contiguous free part of the inbound ring to `receive`
    /// (e.g. a `recv` into it), which returns how many bytes it stored there. Returns that count,
    /// or 0 without calling `receive` when the ring is full. The caller notes an EOF itself and
    /// then calls `receivedEOF()`.
    public func fillCiphertext(_ receive: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        var space: UnsafeMutablePointer<CChar>? = nil
        let available = BIO_nwrite0(network, &space)
        guard available > 0, let start = space else { return 0 }
        let stored = try receive(UnsafeMutableRawBufferPointer(start: start, count: Int(available)))
        precondition(stored >= 0 && stored <= Int(available), "fillCiphertext: receive returned \(stored)")
        if stored > 0 { _ = BIO_nwrite(network, &space, Int32(stored)) }
        return stored
    }

    /// Zero-copy send: offers pending ciphertext, one contiguous piece at a time (at most two: the
    /// ring may wrap), to `send`, which returns how many bytes it took. Stops at the first short
    /// take (the socket is full). Returns the total taken.
    public func drainCiphertext(_ send: (UnsafeRawBufferPointer) throws -> Int) rethrows -> Int {
        var total = 0
        while true {
            var chunk: UnsafeMutablePointer<CChar>? = nil
            let available = BIO_nread0(network, &chunk)
            guard available > 0, let chunk else { return total }
            let taken = try send(UnsafeRawBufferPointer(start: chunk, count: Int(available)))
            precondition(taken >= 0 && taken <= Int(available), "drainCiphertext: send returned \(taken)")
            if taken > 0 { _ = BIO_nread(network, nil, Int32(taken)) }
            total += taken
            if taken < Int(available) { return total }
        }
    }

    /// Copying receive, for callers that already hold the bytes: returns how many were accepted
    /// (fewer than offered when the ring is full).
    public func feedCiphertext(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        let accepted = BIO_write(network, base, Int32(clamping: bytes.count))
        return max(0, Int(accepted))
    }

    /// Copying send: moves up to `buffer.count` pending bytes into `buffer`; returns the count.
    public func takeCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        return max(0, Int(BIO_read(network, base, Int32(clamping: buffer.count))))
    }

    /// The socket reached EOF: the engine will see end-of-stream once it has consumed what is
    /// buffered, and report `.closed` (after close_notify) or `TLSError.unexpectedEOF`.
    public func receivedEOF() {
        _ = chttp_tls_bio_shutdown_wr(network)
    }
}
