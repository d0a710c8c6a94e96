import CHTTPParser

/// Collects one request body from a server connection's `ReceiveBuffer` according to its framing:
/// Content-Length, chunked (decoded in place by `chttp_chunked_decode`), or until close.
/// Loop-confined; one per request.
struct RequestBodyReader {
    enum Framing {
        case length(Int)
        case chunked
        case untilClose
    }

    struct FramingError: Error {
        let error: chttp_error
        var status: Int { Int(chttp_error_status(error)) }
        var name: String { String(cString: chttp_error_name(error)) }
    }

    private(set) var framing: Framing
    private var decoder = chttp_chunked_decoder()
    private let limit: Int
    var body: [UInt8] = []

    init(_ framing: Framing, limit: Int) {
        self.framing = framing
        self.limit = limit
        decoder.max_body_bytes = UInt64(limit)
        if case .length(let n) = framing { body.reserveCapacity(n) }
    }

    /// Takes the body bytes available in `buffer`; true when the body is complete.
    mutating func consume(_ buffer: ReceiveBuffer) throws(FramingError) -> Bool {
        switch framing {
        case .length(let remaining):
            let take = min(remaining, buffer.readableCount)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer.readable[..<take]))
            buffer.consume(take)
            framing = .length(remaining - take)
            return remaining == take
        case .untilClose:
            guard body.count + buffer.readableCount <= limit else { throw FramingError(error: CHTTP_E_BODY_TOO_LARGE) }
            body.append(contentsOf: UnsafeRawBufferPointer(buffer.readable))
            buffer.consume(buffer.readableCount)
            return false
        case .chunked:
            return try decodeChunked(buffer)
        }
    }

    private mutating func decodeChunked(_ buffer: ReceiveBuffer) throws(FramingError) -> Bool {
        let input = buffer.readable
        guard !input.isEmpty else { return false }
        var produced = 0
        var error = CHTTP_OK
        let result = chttp_chunked_decode(&decoder, input.baseAddress!.assumingMemoryBound(to: CChar.self), input.count, &produced, &error)
        if result == Int(CHTTP_ERROR) { throw FramingError(error: error) }
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<produced]))
        if result == Int(CHTTP_INCOMPLETE) {
            buffer.consume(input.count)
            return false
        }
        buffer.consume(result)
        return true
    }
}
