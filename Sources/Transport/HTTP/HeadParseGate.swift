import Glibc

/// Decides when an unfinished message head is worth handing to the C parser again, for the
/// server's request heads and the client's response heads alike (docs/http-parser.md). The parser
/// keeps no state, so calling it on every read of a drip-fed head costs quadratic time; the gate
/// lets a call through only when it can say something new:
/// - a line feed arrived (a line, or the whole head, may now be complete), or
/// - the line still open, or the whole head, has passed its limit: the parser then rejects it at
///   once (414 / 431) instead of the head being held until a timeout.
/// Bytes are looked at at most twice (forward for the first new LF, backward for the last one
/// when the parse came back incomplete). Loop-confined, one per connection.
struct HeadParseGate {
    private let maxLineBytes: Int
    private let maxHeadBytes: Int
    /// Bytes of the pending head already looked at.
    private var scanned = 0
    /// Offset just past the last line feed seen: where the line still open starts.
    private var openLineStart = 0

    init(maxLineBytes: Int, maxHeadBytes: Int) {
        self.maxLineBytes = maxLineBytes
        self.maxHeadBytes = maxHeadBytes
    }

    /// True when `bytes` (the whole pending head, from its first byte) should be parsed now.
    /// After a parse, call `parsed(_:complete:)`.
    mutating func shouldParse(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if scanned > bytes.count { reset() }
        guard bytes.count > scanned, let base = bytes.baseAddress else { return false }
        // Forward, so a buffer of many pipelined requests finds the end of the first one fast.
        if memchr(base + scanned, 0x0A, bytes.count - scanned) != nil { return true }
        scanned = bytes.count
        return bytes.count - openLineStart > maxLineBytes || bytes.count > maxHeadBytes
    }

    /// The parser's verdict on `bytes`: a complete (or rejected) head starts the next one afresh;
    /// an incomplete one is looked at again only past what has been seen.
    mutating func parsed(_ bytes: UnsafeRawBufferPointer, complete: Bool) {
        guard !complete else { return reset() }
        // Backward from the end: stops at the last LF, so only the open line is walked.
        var i = bytes.count
        while i > scanned {
            i -= 1
            if bytes[i] == 0x0A {
                openLineStart = i + 1
                break
            }
        }
        scanned = bytes.count
    }

    mutating func reset() {
        scanned = 0
        openLineStart = 0
    }
}
