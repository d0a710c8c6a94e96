import CHTTPParser
import CSystemShims
import Glibc

/// One accepted connection: reads requests, runs the handler, writes responses in request order
/// (pipelining), keeps the connection alive when both sides allow it.
///
/// Threading: confined to its loop thread. `@unchecked Sendable` only so an async handler's task
/// can hand the response back through `loop.execute`; every method runs on the loop thread.
final class ServerConnection: Selectable, @unchecked Sendable {
    struct PendingRequest {
        var request: HTTPServerRequest
        var body: RequestBodyReader
        let keepAlive: Bool
        let isHead: Bool
    }

    unowned let context: ServerLoopContext
    let io: ConnectionIO
    let remoteAddress: String
    let buffer = ReceiveBuffer()
    let parser: RequestHeadParser
    var output = OutputQueue()
    var pending: PendingRequest?
    var awaitingHandler = false
    var closeAfterFlush = false
    /// Requests wait in the buffer for this connection's next turn (`flushAndResume`'s bound).
    private var resumeDeferred = false
    var peerClosed = false
    private(set) var closed = false
    private var interest: Interest = .readable
    /// Monotonic time the current unfinished head started arriving (0: none in progress).
    var headStartedAt: UInt64 = 0
    /// Monotonic time the request whose body is being read started arriving (0: none).
    var requestStartedAt: UInt64 = 0
    /// Last time bytes were read from or written to the peer.
    var lastActivity: UInt64

    init(context: ServerLoopContext, fd: Int32, tls: TLSConnection?, remoteAddress: String) {
        self.context = context
        self.io = ConnectionIO(fd: fd, tls: tls)
        self.remoteAddress = remoteAddress
        self.parser = RequestHeadParser(maxHeaderBytes: context.configuration.maxHeaderBytes, maxBodyBytes: context.configuration.maxBodyBytes)
        self.lastActivity = MonotonicClock.now()
    }

    func handleEvents(_ events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        do {
            if try !advanceHandshake() { return }
            if events & EPOLLOUT.rawValue != 0 { try flushAndResume() }
            if !closed && events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 && readingAllowed {
                try readAndProcess()
                try flushAndResume()
            }
            if !closed { updateInterest() }
        } catch {
            close()
        }
    }

    func loopStopped() { close() }

    private var readingAllowed: Bool { !awaitingHandler && !closeAfterFlush && !peerClosed && !outputFull }

    /// Enough answers wait for the peer to read them: stop reading and answering its requests
    /// until it does (a client that pipelines and never reads must not grow our memory).
    var outputFull: Bool { output.count >= context.configuration.maxPendingOutputBytes }

    /// Reading a head, reading a body, running the handler or writing an answer.
    var hasRequestInProgress: Bool {
        headStartedAt != 0 || pending != nil || awaitingHandler || !output.isEmpty || buffer.readableCount > 0
    }

    /// True once the TLS handshake (if any) is complete.
    private func advanceHandshake() throws -> Bool {
        switch try io.handshake() {
        case .bytes: return true
        case .endOfStream:
            close()
        case .waitReadable: setInterest(.readable)
        case .waitWritable: setInterest([.readable, .writable])
        }
        return false
    }

    /// Reads and answers until the socket (and, with TLS, the engine) has nothing more for us.
    /// TLS needs the loop: plaintext already decrypted into the engine produces no epoll event, so
    /// stopping at the buffer cap without coming back would stall the connection.
    private func readAndProcess() throws {
        while true {
            let stoppedAtCap = try readAvailable()
            processBuffer()
            if !(stoppedAtCap && io.mustDrainReads && readingAllowed && !closed) { return }
        }
    }

    /// Returns true when it stopped because the buffer reached its cap (more may be waiting).
    private func readAvailable() throws -> Bool {
        while true {
            let space = buffer.writableSpace()
            switch try io.read(into: space) {
            case .bytes(let n):
                buffer.didWrite(n)
                lastActivity = context.now
                if buffer.readableCount > context.configuration.maxHeaderBytes + 65536 { return true }
                // Plain sockets: level-triggered epoll calls again if more is waiting.
                if !io.mustDrainReads { return false }
            case .endOfStream:
                peerClosed = true
                return false
            case .waitReadable, .waitWritable:
                return false
            }
        }
    }

    /// Parses and answers every complete request in the buffer (pipelining), in order.
    func processBuffer() {
        while !awaitingHandler && !closeAfterFlush && !closed && !outputFull {
            if pending == nil {
                guard buffer.readableCount > 0 else {
                    headStartedAt = 0
                    break
                }
                if headStartedAt == 0 { headStartedAt = context.now }
                guard parseHead() else { break }
            }
            // Taken out of `pending` so its body array is uniquely referenced: appending to a
            // copy still shared with `pending` would copy the whole body once per request.
            guard var current = pending.take() else { continue }
            do {
                let complete = try current.body.consume(buffer)
                guard complete else {
                    pending = current
                    break
                }
            } catch {
                respondWithError(error.status, error.name)
                break
            }
            current.request.body = current.body.body
            requestStartedAt = 0
            dispatch(current.request, keepAlive: current.keepAlive, isHead: current.isHead)
        }
        // A peer that closed its side gets the answers to everything it sent, then the close.
        if peerClosed && !awaitingHandler && !(outputFull && buffer.readableCount > 0) { closeAfterFlush = true }
    }

    /// Parses the next head into `pending`; false when incomplete or answered with an error.
    private func parseHead() -> Bool {
        let bytes = UnsafeRawBufferPointer(buffer.readable)
        let result = parser.parseRequest(bytes)
        if result == Int(CHTTP_INCOMPLETE) { return false }
        if result == Int(CHTTP_ERROR) {
            respondWithError(parser.errorStatus, parser.errorName)
            return false
        }
        let message = parser.message
        let method = RequestHeadParser.string(bytes, message.method_off, message.method_len)
        let request = HTTPServerRequest(
            method: method, target: RequestHeadParser.string(bytes, message.target_off, message.target_len),
            headers: parser.headerList(bytes), versionMinor: Int(message.version_minor), remoteAddress: remoteAddress)
        let expectContinue = message.expect_continue != 0
        buffer.consume(result)
        requestStartedAt = headStartedAt
        headStartedAt = 0
        if message.upgrade != 0 {
            respondWithError(501, "upgrade_not_supported")
            return false
        }
        let framing: RequestBodyReader.Framing
        switch message.body_kind {
        case CHTTP_BODY_LENGTH: framing = .length(Int(message.content_length))
        case CHTTP_BODY_CHUNKED: framing = .chunked
        default: framing = .length(0)
        }
        // The route's limit is known before a byte of the body is read: refuse at once, no 100 Continue.
        let bodyLimit = context.configuration.bodyLimit(method: method, path: request.path)
        let tooLarge: Bool
        switch framing {
        case .length(let n): tooLarge = n > bodyLimit
        case .chunked: tooLarge = bodyLimit == 0
        case .untilClose: tooLarge = false
        }
        if tooLarge {
            respondWithError(413, "body_too_large")
            return false
        }
        pending = PendingRequest(
            request: request, body: RequestBodyReader(framing, limit: bodyLimit),
            keepAlive: message.keep_alive != 0, isHead: method == "HEAD")
        if expectContinue && buffer.readableCount == 0, case .length(let n) = framing, n > 0 {
            output.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        } else if expectContinue && buffer.readableCount == 0, case .chunked = framing {
            output.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        return true
    }

    private func dispatch(_ request: HTTPServerRequest, keepAlive: Bool, isHead: Bool) {
        context.counters.countRequest()
        let close = !keepAlive || context.draining
        switch context.handler {
        case .sync(let handler):
            let response = handler(request)
            ResponseEncoder.encode(response, into: &output, date: context.date, close: close, isHead: isHead)
            if close { closeAfterFlush = true }
        case .async(let handler):
            awaitingHandler = true
            let loop = context.loop
            Task(executorPreference: loop) { [self] in
                let response = await handler(request)
                loop.execute { self.finishAsync(response, close: close, isHead: isHead) }
            }
        }
    }

    private func finishAsync(_ response: HTTPResponse, close: Bool, isHead: Bool) {
        guard !closed else { return }
        awaitingHandler = false
        ResponseEncoder.encode(response, into: &output, date: context.date, close: close || context.draining, isHead: isHead)
        if close || context.draining { closeAfterFlush = true }
        do {
            // Requests that arrived while the handler ran may sit decrypted in the TLS engine.
            if io.mustDrainReads && readingAllowed { try readAndProcess() } else { processBuffer() }
            try flushAndResume()
            if !closed { updateInterest() }
        } catch {
            self.close()
        }
    }

    private func respondWithError(_ status: Int, _ reason: String) {
        let response = HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("\(reason)\n".utf8))
        ResponseEncoder.encode(response, into: &output, date: context.date, close: true, isHead: false)
        closeAfterFlush = true
    }

    /// Writes what is queued; when that made room under `maxPendingOutputBytes`, answers the
    /// requests that waited in the buffer meanwhile (they produce no epoll event of their own:
    /// their bytes were read already) and writes again — but at most `resumesPerEvent` times per
    /// event. The kernel takes megabytes from a socket whose peer never reads (loopback buffers
    /// autotune to 4 MiB), so without that bound one pipelining client had hundreds of answers
    /// rendered in one go while every other connection of the loop, a health probe among them,
    /// waited. Past the bound the connection asks for `.writable` and goes on at the next poll,
    /// after the other connections had their turn.
    private func flushAndResume() throws {
        var resumes = 0
        while true {
            let wasFull = outputFull || resumeDeferred
            resumeDeferred = false
            try flush()
            guard wasFull, !outputFull, !closed, buffer.readableCount > 0 else { return }
            if resumes == Self.resumesPerEvent {
                resumeDeferred = true
                return
            }
            resumes += 1
            let before = buffer.readableCount
            processBuffer()
            if buffer.readableCount == before { return try flush() }
        }
    }

    static let resumesPerEvent = 1

    func flush() throws {
        if !output.isEmpty || io.hasPendingOutput {
            let before = output.count
            let done = try output.flush(io)
            if output.count < before { lastActivity = context.now }
            guard done else { return }
        }
        if closeAfterFlush && !awaitingHandler { close() }
    }

    /// Closes at once if nothing is in progress; otherwise after the current response.
    func closeWhenIdle() {
        if pending == nil && !awaitingHandler && output.isEmpty && buffer.readableCount == 0 {
            close()
        } else {
            closeAfterFlush = true
        }
    }

    private func updateInterest() {
        var wanted: Interest = readingAllowed ? .readable : []
        if !output.isEmpty || io.hasPendingOutput || resumeDeferred { wanted.insert(.writable) }
        setInterest(wanted)
    }

    private func setInterest(_ wanted: Interest) {
        guard wanted != interest, !closed else { return }
        interest = wanted
        do { try context.loop.setInterest(io.fd, wanted) } catch { close() }
    }

    func close() {
        guard !closed else { return }
        closed = true
        context.loop.deregister(io.fd)
        io.close()
        context.connectionClosed(self)
    }
}
