import CHTTP

/// One accepted connection: parses pipelined requests, calls the handler, writes responses in
/// request order. Loop-confined. Responses to a batch of pipelined requests are queued in the
/// outbound buffer and flushed with one write.
final class ServerConnection: ChannelDelegate, @unchecked Sendable {
    private enum Phase {
        case head
        case body(RequestHead, BodyDecoder)
        case handling   // an async handler is running; later requests wait in the inbound buffer
    }

    private struct RequestHead {
        let method: String
        let target: String
        let headers: HTTPHeaders
        let versionMinor: Int
        let keepAlive: Bool
    }

    let channel: Channel
    private unowned let state: ServerLoopState
    private let parser: HeadParser
    private var phase = Phase.head
    private var closeWhenDrained = false
    /// Monotonic time the current request's first byte arrived; 0 between requests.
    private(set) var requestStartedAt: UInt64 = 0
    private(set) var lastActivity: UInt64

    init(channel: Channel, state: ServerLoopState) {
        self.channel = channel
        self.state = state
        parser = HeadParser(maxHeaderBytes: state.config.maxHeaderBytes, maxBodyBytes: state.config.maxBodyBytes)
        lastActivity = monotonicNanos()
        channel.delegate = self
    }

    /// Nothing in flight: safe to close for idleness or shutdown.
    var isIdle: Bool {
        if case .head = phase { return channel.inbound.isEmpty && channel.pendingWriteBytes == 0 }
        return false
    }

    func channelDidConnect(_ channel: Channel) {}

    func channelDidRead(_ channel: Channel) {
        lastActivity = monotonicNanos()
        if requestStartedAt == 0 { requestStartedAt = lastActivity }
        processBuffered()
        channel.flush()
    }

    private func processBuffered() {
        while channel.state == .open && !closeWhenDrained && channel.pendingWriteBytes < 1 << 20 {
            switch phase {
            case .handling:
                return
            case .head:
                guard !channel.inbound.isEmpty, parseHead() else { return }
            case .body(let head, var decoder):
                let done: Bool
                do { done = try decoder.feed(channel.inbound) } catch {
                    if case .tooLarge = error { return reject(413) }
                    if case .malformed(let e) = error { return reject(e.suggestedStatus) }
                    return reject(400)
                }
                guard done else {
                    phase = .body(head, decoder)
                    return
                }
                dispatch(head, body: decoder.takeBody())
            }
        }
    }

    /// True when a head was parsed and the phase moved on.
    private func parseHead() -> Bool {
        let buf = UnsafeRawBufferPointer(channel.inbound.readable)
        switch parser.parseRequest(buf) {
        case .incomplete:
            return false
        case .error(let e):
            reject(e.suggestedStatus)
            return false
        case .complete(let consumed, let msg):
            if msg.upgrade != 0 {
                reject(501)
                return false
            }
            let head = RequestHead(method: parser.string(buf, msg.method_off, msg.method_len),
                                   target: parser.string(buf, msg.target_off, msg.target_len),
                                   headers: parser.headers(of: msg, in: buf),
                                   versionMinor: Int(msg.version_minor), keepAlive: msg.keep_alive != 0)
            channel.inbound.consume(consumed)
            if msg.expect_continue != 0 && msg.body_kind != CHTTP_BODY_NONE && channel.inbound.isEmpty {
                ResponseEncoder.append("HTTP/1.1 100 Continue\r\n\r\n", channel.outbound)
            }
            phase = .body(head, BodyDecoder(message: msg, limit: state.config.maxBodyBytes))
            return true
        }
    }

    private func dispatch(_ head: RequestHead, body: [UInt8]) {
        let request = HTTPServerRequest(method: head.method, target: head.target, headers: head.headers,
                                        body: body, versionMinor: head.versionMinor)
        switch state.handler {
        case .sync(let handler):
            respond(handler(request), head: head)
        case .async(let handler):
            phase = .handling
            let loop = channel.loop
            Task(executorPreference: loop) { [self] in
                let response = await handler(request)
                loop.execute { self.finishAsync(response, head: head) }
            }
        }
    }

    private func finishAsync(_ response: HTTPResponse, head: RequestHead) {
        guard channel.state == .open else { return }
        respond(response, head: head)
        processBuffered()
        channel.flush()
    }

    private func respond(_ response: HTTPResponse, head: RequestHead) {
        // A handler may end the connection itself by answering with "Connection: close".
        let handlerCloses = response.headers["Connection"].map { $0.caseInsensitiveEquals("close") } ?? false
        let keepAlive = head.keepAlive && !state.isShuttingDown && !handlerCloses
        phase = .head
        requestStartedAt = channel.inbound.isEmpty ? 0 : monotonicNanos()
        ResponseEncoder.write(response, keepAlive: keepAlive, headOnly: head.method == "HEAD", date: state.date, into: channel.outbound)
        if head.method != "HEAD" && !response.body.isEmpty {
            if response.body.count >= 64 * 1024 {
                channel.write(head: nil, body: response.body)
            } else {
                response.body.withUnsafeBytes { channel.outbound.append($0) }
            }
        }
        if !keepAlive { closeWhenDrained = true }
    }

    /// Answers malformed input with its status and closes: after a framing error the rest of the
    /// stream cannot be trusted.
    func reject(_ status: Int) {
        let body = Array("\(status) \(ResponseEncoder.reasonPhrase(status))\n".utf8)
        ResponseEncoder.write(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: body),
                              keepAlive: false, headOnly: false, date: state.date, into: channel.outbound)
        body.withUnsafeBytes { channel.outbound.append($0) }
        closeWhenDrained = true
        phase = .head
        channel.flush()
    }

    func channelDidDrain(_ channel: Channel) {
        if closeWhenDrained { channel.close(error: nil) }
    }

    func channelDidClose(_ channel: Channel, error: Error?) {
        state.connectionClosed(self)
    }
}
