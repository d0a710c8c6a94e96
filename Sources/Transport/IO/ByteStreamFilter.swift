/// A transformation between the socket and the HTTP codec — the slot TLS fills.
///
/// The channel hands every chunk it reads to `receive` (ciphertext in, plaintext appended to the
/// channel's inbound buffer) and every chunk the codec writes to `send` (plaintext in, ciphertext
/// out). `takeOutput` returns bytes the filter itself must put on the wire (handshake records,
/// alerts, session tickets); the channel calls it after every receive. Loop-confined.
protocol ByteStreamFilter: AnyObject {
    /// True once the filter can carry application data (TLS: handshake complete).
    var isReady: Bool { get }
    /// Called once the TCP connection is up (TLS: produce the ClientHello into the output).
    func start() throws
    func receive(_ bytes: UnsafeRawBufferPointer, into plaintext: ByteBuffer) throws
    func send(_ plaintext: [UInt8]) throws -> [UInt8]
    func takeOutput() -> [UInt8]
}
