import CHTTPParser

/// One keep-alive connection of a pool: sends a request, parses the response, hands itself back.
/// Loop-confined. While idle in the pool it stays registered for reads, so a peer's close (or
/// stray bytes) is noticed at once and the connection leaves the pool.
final class ClientConnection: ChannelDelegate {
    private enum Phase {
        case idle
        case awaitingHead
        case body(status: Int, headers: HTTPHeaders, keepAlive: Bool, gzip: Bool, decoder: ResponseBodyDecoder)
    }

    /// Interim (1xx) responses accepted before the final one; more is a misbehaving peer.
    static let maxInformationalResponses = 16
    private var informationalSeen = 0

    let channel: Channel
    // Strong on purpose: a connection may report events (a peer close) after the client that made
    // the pool is gone; the cycle ends when the connection closes and the pool drops it.
    private let pool: ConnectionPool
    private let parser: ResponseHeadParser
    private var phase = Phase.idle
    private(set) var current: PendingRequest?
    private var sentBeforeRequest = 0
    private(set) var isConnected = false
    private(set) var completedRequests = 0
    var idleSince: UInt64 = 0
    var connectTimer: LoopTimer?
    /// Addresses to try if this connect fails (IPv6 then IPv4, as the resolver returned them).
    var fallbackAddresses: ArraySlice<SocketAddress> = []

    init(channel: Channel, pool: ConnectionPool, maxResponseBytes: Int) {
        self.channel = channel
        self.pool = pool
        parser = ResponseHeadParser(maxHeaderBytes: 64 * 1024, maxBodyBytes: maxResponseBytes)
        channel.delegate = self
    }

    func start(_ request: PendingRequest) {
        precondition(current == nil)
        current = request
        request.connection = self
        phase = .awaitingHead
        informationalSeen = 0
        parser.reset()
        sentBeforeRequest = channel.bytesSent
        let encoded = request.encoded
        encoded.head.withUnsafeBytes { channel.write(head: $0, body: encoded.body) }
    }

    func channelDidConnect(_ channel: Channel) {
        isConnected = true
        connectTimer?.cancel()
        connectTimer = nil
        pool.connectionReady(self)
    }

    func channelDidRead(_ channel: Channel) {
        guard let request = current else {
            // Bytes while idle: the server broke protocol (or sent a 408); this connection is done.
            channel.close(error: nil)
            return
        }
        do {
            if let response = try parseAvailable(request) { complete(request, response) }
        } catch {
            channel.close(error: error)
        }
    }

    private func parseAvailable(_ request: PendingRequest) throws -> (HTTPResponse, Bool)? {
        // 1xx heads are skipped in this loop (a peer sending thousands costs no stack), up to a limit.
        while case .awaitingHead = phase {
            let buf = UnsafeRawBufferPointer(channel.inbound.readable)
            switch parser.parseResponse(buf, requestWasHead: request.method == "HEAD") {
            case .incomplete: return nil
            case .error(let e):
                if e == CHTTP_E_BODY_TOO_LARGE { throw HTTPClientError.responseTooLarge(host: request.target.host, limit: pool.config.maxResponseBytes) }
                throw HTTPClientError.protocolError("malformed response from \(request.target.host): \(e.name)")
            case .complete(let consumed, let msg):
                let headers = parser.headers(of: msg, in: buf)
                channel.inbound.consume(consumed)
                if msg.status < 200 {
                    informationalSeen += 1
                    if informationalSeen > Self.maxInformationalResponses {
                        throw HTTPClientError.protocolError("more than \(Self.maxInformationalResponses) interim responses from \(request.target.host)")
                    }
                    continue
                }
                phase = .body(status: Int(msg.status), headers: headers, keepAlive: msg.keep_alive != 0,
                              gzip: msg.content_encoding_gzip != 0,
                              decoder: ResponseBodyDecoder(message: msg, limit: pool.config.maxResponseBytes,
                                                           reading: request.encoded.reading))
            }
        }
        guard case .body(let status, let headers, let keepAlive, let gzip, var decoder) = phase else { return nil }
        let progress: ResponseBodyDecoder.Progress
        do { progress = try decoder.feed(channel.inbound) } catch {
            if case .tooLarge = error { throw HTTPClientError.responseTooLarge(host: request.target.host, limit: pool.config.maxResponseBytes) }
            throw HTTPClientError.protocolError("bad response body framing from \(request.target.host)")
        }
        phase = .body(status: status, headers: headers, keepAlive: keepAlive, gzip: gzip, decoder: decoder)
        switch progress {
        case .more: return nil
        case .done:
            let response = try makeResponse(status, headers, gzip, &decoder, request)
            return (response, keepAlive && channel.inbound.isEmpty)
        case .cutOff:
            // The rest of the body is not worth reading: answer with the excerpt, close the connection.
            return (try makeResponse(status, headers, gzip, &decoder, request), false)
        }
    }

    private func makeResponse(_ status: Int, _ headers: HTTPHeaders, _ gzip: Bool, _ decoder: inout ResponseBodyDecoder,
                              _ request: PendingRequest) throws -> HTTPResponse {
        let truncated = decoder.isTruncated
        let body = decoder.takeBody()
        // An excerpt is never inflated: what was asked for is the first bytes as sent.
        guard gzip && pool.config.decompressResponses && !body.isEmpty && request.encoded.reading == .whole else {
            return HTTPResponse(status: status, headers: headers, body: body, bodyIsExcerpt: truncated)
        }
        guard let plain = Gzip.decompress(body, limit: pool.config.maxResponseBytes) else {
            throw HTTPClientError.decompressionFailed(host: request.target.host)
        }
        var h = headers
        h.remove("Content-Encoding")
        h.set("Content-Length", String(plain.count))
        return HTTPResponse(status: status, headers: h, body: plain)
    }

    private func complete(_ request: PendingRequest, _ result: (HTTPResponse, Bool)) {
        current = nil
        phase = .idle
        completedRequests += 1
        // Back to the pool first: a loop-level caller that sends its next request from inside
        // the completion then finds this connection idle instead of queueing behind it.
        pool.release(self, reusable: result.1)
        request.succeed(result.0)
    }

    func channelDidClose(_ channel: Channel, error: Error?) {
        connectTimer?.cancel()
        connectTimer = nil
        let request = current
        current = nil
        request?.connection = nil
        if let request, !request.isFinished {
            if case .body(let status, let headers, _, let gzip, var decoder) = phase, decoder.readsUntilClose, error == nil {
                do { request.succeed(try makeResponse(status, headers, gzip, &decoder, request)) } catch { request.fail(error) }
            } else {
                let nothingReceived: Bool
                if case .awaitingHead = phase { nothingReceived = channel.inbound.isEmpty } else { nothingReceived = false }
                let nothingSent = channel.bytesSent == sentBeforeRequest
                let safeToRetry = isConnected && nothingReceived && (request.isIdempotent || nothingSent) && !(error is TLSError)
                pool.requestLostConnection(request, retry: safeToRetry, error: describe(error, request))
            }
        }
        phase = .idle
        pool.connectionClosed(self, wasConnected: isConnected, error: error)
    }

    private func describe(_ error: Error?, _ request: PendingRequest) -> Error {
        if let e = error as? HTTPClientError { return e }
        if let e = error as? TLSError { return HTTPClientError.tls("\(request.target.host): \(e)") }
        return HTTPClientError.connectionReset(host: request.target.host)
    }
}
