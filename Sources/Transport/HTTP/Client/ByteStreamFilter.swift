/// A transformation between the socket and the HTTP codec — the slot TLS fills.
///
/// The channel hands every chunk it reads to `receive` (ciphertext in, plaintext appended to the
/// channel's inbound buffer) and every message the codec writes to `send` (plaintext in). Every
/// byte the filter puts on the wire — sealed records, handshake messages, alerts, tickets — is
/// appended to `wire`, the channel's outbound buffer, which the channel then flushes; no
/// intermediate arrays on the hot path. Loop-confined.
protocol ByteStreamFilter: AnyObject {
    /// True once the filter can carry application data (TLS: handshake complete).
    var isReady: Bool { get }
    /// Called once the TCP connection is up (TLS: the ClientHello).
    func start(wire: ByteBuffer) throws
    func receive(_ bytes: UnsafeRawBufferPointer, into plaintext: ByteBuffer, wire: ByteBuffer) throws
    /// `head` and `body` are one message: a filter seals them together when they fit (one TLS
    /// record per request instead of two).
    func send(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, wire: ByteBuffer) throws
}
