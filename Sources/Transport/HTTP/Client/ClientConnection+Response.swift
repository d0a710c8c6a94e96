import CHTTP

/// Reading and framing the response of the current exchange.
extension ClientConnection {
    func readResponse() {
        guard let io, let exchange else { return }
        do {
            while self.exchange === exchange {
                let space = buffer.writableSpace(minimum: 16 * 1024)
                switch try io.read(into: space) {
                case .bytes(let n):
                    buffer.didWrite(n)
                    exchange.responseBytes += n
                    processResponse(exchange)
                    // Plain sockets: one read per readiness event; level-triggered epoll repeats.
                    if !io.mustDrainReads { return }
                case .endOfStream:
                    endOfStream(exchange)
                    return
                case .waitReadable:
                    return
                case .waitWritable:
                    setInterest([.readable, .writable])
                    return
                }
            }
        } catch {
            failAfterIO(error)
        }
    }

    /// A read or write failed (reset, TLS error).
    func failAfterIO(_ error: any Error) {
        guard let exchange else { return }
        if let tlsError = error as? TLSError, tlsError.kind != .unexpectedEOF {
            fail(.tls("\(host): \(tlsError)"), retryable: false)
            return
        }
        fail(.connectionReset(host: host), retryable: mayRetry(exchange))
    }

    /// A stale keep-alive connection fails before the server saw the request (nothing written),
    /// or the request may safely be repeated (idempotent, and no response byte came back).
    private func mayRetry(_ exchange: ClientExchange) -> Bool {
        reused && (exchange.bytesWritten == 0 || (exchange.idempotent && exchange.responseBytes == 0))
    }

    private func endOfStream(_ exchange: ClientExchange) {
        if exchange.status != 0, case .untilClose = exchange.body?.framing {
            complete(exchange, reusable: false)
        } else {
            fail(.connectionReset(host: host), retryable: mayRetry(exchange))
        }
    }

    private func processResponse(_ exchange: ClientExchange) {
        while exchange.status == 0 {
            guard parseHead(exchange) else { return }
        }
        guard var body = exchange.body else { return }
        do {
            let done = try body.consume(buffer)
            exchange.body = body
            if done { complete(exchange, reusable: exchange.keepAlive && buffer.readableCount == 0) }
        } catch {
            failFraming(error.error)
        }
    }

    /// Parses the response head; false when more bytes are needed or the exchange failed.
    private func parseHead(_ exchange: ClientExchange) -> Bool {
        let bytes = UnsafeRawBufferPointer(buffer.readable)
        let result = parser.parseResponse(bytes, requestWasHead: exchange.isHead)
        if result == Int(CHTTP_INCOMPLETE) { return false }
        if result == Int(CHTTP_ERROR) {
            failFraming(parser.message.error)
            return false
        }
        let message = parser.message
        // Interim responses (100 Continue, 103 Early Hints) precede the real one.
        if message.status >= 100 && message.status < 200 && message.status != 101 {
            buffer.consume(result)
            return true
        }
        exchange.status = Int(message.status)
        exchange.headers = parser.headerList(bytes)
        exchange.keepAlive = message.keep_alive != 0 && !exchange.closeRequested
        let framing: BodyReader.Framing
        switch message.body_kind {
        case CHTTP_BODY_LENGTH: framing = .length(Int(message.content_length))
        case CHTTP_BODY_CHUNKED: framing = .chunked
        case CHTTP_BODY_UNTIL_CLOSE: framing = .untilClose
        default: framing = .length(0)
        }
        exchange.body = BodyReader(framing, limit: options.maxResponseBytes)
        buffer.consume(result)
        return true
    }

    private func failFraming(_ error: chttp_error) {
        if error == CHTTP_E_BODY_TOO_LARGE {
            fail(.responseTooLarge(limit: options.maxResponseBytes), retryable: false)
        } else {
            fail(.protocolError("invalid response from \(host): \(String(cString: chttp_error_name(error)))"), retryable: false)
        }
    }

    private func complete(_ exchange: ClientExchange, reusable: Bool) {
        let response = HTTPResponse(status: exchange.status, headers: exchange.headers, body: exchange.body?.body ?? [])
        succeed(response, reusable: reusable)
    }
}
