/// A server connection's non-blocking socket as the I/O below its `TLSStream`.
struct SocketIO: TLSStreamIO {
    let fd: Int32

    mutating func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSStreamIOResult {
        switch try Socket.read(fd, into: buffer) {
        case .bytes(let n): return .bytes(n)
        case .endOfStream: return .endOfStream
        case .wouldBlock: return .wouldBlock
        }
    }

    mutating func send(_ bytes: UnsafeRawBufferPointer) throws -> TLSStreamIOResult {
        guard let n = try Socket.send(fd, bytes) else { return .wouldBlock }
        return .bytes(n)
    }
}
