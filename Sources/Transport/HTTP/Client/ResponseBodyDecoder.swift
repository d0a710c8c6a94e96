import CHTTPParser

/// Collects one response body from a client connection's inbound buffer according to the framing
/// the head declared. Chunked bodies are decoded in place in the inbound buffer, then copied once
/// into `body`.
struct ResponseBodyDecoder {
    enum Failure: Error {
        case tooLarge
        case malformed(chttp_error)
    }

    private enum Mode {
        case none
        case length(remaining: Int)
        case chunked(chttp_chunked_decoder)
        case untilClose
    }

    private var mode: Mode
    private(set) var body: [UInt8] = []
    private let limit: Int

    init(message: chttp_message, limit: Int) {
        self.limit = limit
        switch message.body_kind {
        case CHTTP_BODY_LENGTH:
            mode = .length(remaining: Int(clamping: message.content_length))
            body.reserveCapacity(min(Int(clamping: message.content_length), limit))
        case CHTTP_BODY_CHUNKED:
            var d = chttp_chunked_decoder()
            d.max_body_bytes = UInt64(limit)
            mode = .chunked(d)
        case CHTTP_BODY_UNTIL_CLOSE: mode = .untilClose
        default: mode = .none
        }
    }

    /// True when the framing needs the peer to close to finish the body.
    var readsUntilClose: Bool {
        if case .untilClose = mode { return true }
        return false
    }

    /// Takes what it can from `buffer`; true once the body is complete.
    mutating func feed(_ buffer: ByteBuffer) throws(Failure) -> Bool {
        switch mode {
        case .none:
            return true
        case .length(let remaining):
            if remaining > limit { throw .tooLarge }
            let take = min(remaining, buffer.readableCount)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer.readable[0..<take]))
            buffer.consume(take)
            mode = .length(remaining: remaining - take)
            return remaining == take
        case .chunked(var decoder):
            let region = buffer.readable
            var produced = 0
            var err = CHTTP_OK
            let rc = chttp_chunked_decode(&decoder, region.baseAddress?.assumingMemoryBound(to: CChar.self),
                                          region.count, &produced, &err)
            if rc == CHTTP_ERROR {
                throw err == CHTTP_E_BODY_TOO_LARGE ? .tooLarge : .malformed(err)
            }
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: region[0..<produced]))
            mode = .chunked(decoder)
            buffer.consume(rc >= 0 ? Int(rc) : region.count)
            return rc >= 0
        case .untilClose:
            if body.count + buffer.readableCount > limit { throw .tooLarge }
            body.append(contentsOf: UnsafeRawBufferPointer(buffer.readable))
            buffer.consume(buffer.readableCount)
            return false
        }
    }

    /// Hands the body over and leaves the decoder empty.
    mutating func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }
}
