import CHTTPParser

/// Collects one response body from a client connection's inbound buffer according to the framing
/// the head declared. Chunked bodies are decoded in place in the inbound buffer, then copied once
/// into `body`. With `ResponseReading.excerpt` it keeps only the first bytes and stops reading
/// (`.cutOff`) once the drain budget is spent.
struct ResponseBodyDecoder {
    enum Failure: Error {
        case tooLarge
        case malformed(chttp_error)
    }

    enum Progress {
        case more
        case done
        /// Excerpt mode: the body goes on past the drain budget; stop here and close.
        case cutOff
    }

    private enum Mode {
        case none
        case length(remaining: Int)
        case chunked(chttp_chunked_decoder)
        case untilClose
    }

    private var mode: Mode
    private(set) var body: [UInt8] = []
    /// Bytes of body read so far (kept or not).
    private(set) var received = 0
    /// Most bytes read before `.tooLarge` (whole) or `.cutOff` (excerpt).
    private let limit: Int
    /// Most bytes kept in `body`.
    private let keep: Int
    private let isExcerpt: Bool

    init(message: chttp_message, limit: Int, reading: ResponseReading = .whole) {
        switch reading {
        case .whole: (self.limit, keep, isExcerpt) = (limit, limit, false)
        case .excerpt(let keep, let budget): (self.limit, self.keep, isExcerpt) = (max(keep, budget), keep, true)
        }
        switch message.body_kind {
        case CHTTP_BODY_LENGTH:
            mode = .length(remaining: Int(clamping: message.content_length))
            body.reserveCapacity(min(Int(clamping: message.content_length), keep))
        case CHTTP_BODY_CHUNKED:
            var d = chttp_chunked_decoder()
            // Excerpt mode counts the budget itself, so it can stop instead of failing.
            d.max_body_bytes = isExcerpt ? 0 : UInt64(self.limit)
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

    /// True when `body` holds less than the peer sent.
    var isTruncated: Bool { received > body.count }

    /// Takes what it can from `buffer`.
    mutating func feed(_ buffer: ByteBuffer) throws(Failure) -> Progress {
        switch mode {
        case .none:
            return .done
        case .length(let remaining):
            if remaining > limit - received && !isExcerpt { throw .tooLarge }
            let take = min(remaining, buffer.readableCount)
            keepStart(of: UnsafeRawBufferPointer(rebasing: buffer.readable[0..<take]))
            buffer.consume(take)
            mode = .length(remaining: remaining - take)
            if remaining == take { return .done }
            return overBudget(remaining - take) ? .cutOff : .more
        case .chunked(var decoder):
            let region = buffer.readable
            var produced = 0
            var err = CHTTP_OK
            let rc = chttp_chunked_decode(&decoder, region.baseAddress?.assumingMemoryBound(to: CChar.self),
                                          region.count, &produced, &err)
            if rc == CHTTP_ERROR {
                throw err == CHTTP_E_BODY_TOO_LARGE ? .tooLarge : .malformed(err)
            }
            keepStart(of: UnsafeRawBufferPointer(rebasing: region[0..<produced]))
            mode = .chunked(decoder)
            buffer.consume(rc >= 0 ? Int(rc) : region.count)
            if rc >= 0 { return .done }
            return overBudget(1) ? .cutOff : .more
        case .untilClose:
            if received + buffer.readableCount > limit && !isExcerpt { throw .tooLarge }
            keepStart(of: UnsafeRawBufferPointer(buffer.readable))
            buffer.consume(buffer.readableCount)
            return overBudget(1) ? .cutOff : .more
        }
    }

    /// Excerpt mode: the excerpt is full and reading `still` more bytes would pass the budget
    /// (nothing is worth reading past the excerpt when the connection cannot be kept anyway).
    private func overBudget(_ still: Int) -> Bool {
        isExcerpt && body.count >= keep && received + still > limit
    }

    private mutating func keepStart(of bytes: UnsafeRawBufferPointer) {
        received += bytes.count
        let room = keep - body.count
        guard room > 0 else { return }
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<min(room, bytes.count)]))
    }

    /// Hands the body over and leaves the decoder empty.
    mutating func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }
}
