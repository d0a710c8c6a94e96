import Synchronization

/// Settings of an `HTTPClient`.
public struct HTTPClientOptions: Sendable {
    /// Open connections per (scheme, host, port); further requests queue for a free one.
    public var maxConnectionsPerHost: Int
    public var connectTimeout: Duration
    /// An unused pooled connection is closed after this long.
    public var idleTimeout: Duration
    /// Largest response body accepted (after de-chunking and after gzip decoding).
    public var maxResponseBytes: Int
    public var maxHeaderBytes: Int
    /// Extra PEM CA certificates to trust for https (a private or test CA). Verification itself
    /// is always on (see docs/tls.md).
    public var additionalTrustedCAFile: String?
    public var useSystemTrustStore: Bool
    /// Decode `Content-Encoding: gzip` responses (and drop that header).
    public var decompressResponses: Bool
    /// Gzip request bodies of at least 1 KiB and send `Content-Encoding: gzip` (only for servers
    /// known to accept it).
    public var compressRequestBodies: Bool

    public init(
        maxConnectionsPerHost: Int = 64, connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
        maxResponseBytes: Int = 64 * 1024 * 1024, maxHeaderBytes: Int = 64 * 1024, additionalTrustedCAFile: String? = nil,
        useSystemTrustStore: Bool = true, decompressResponses: Bool = true, compressRequestBodies: Bool = false
    ) {
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.additionalTrustedCAFile = additionalTrustedCAFile
        self.useSystemTrustStore = useSystemTrustStore
        self.decompressResponses = decompressResponses
        self.compressRequestBodies = compressRequestBodies
    }
}

/// HTTP/1.1 client over our event loops: a keep-alive pool per (scheme, host, port), https through
/// `TLSStream`, whole-exchange timeouts, one safe retry on a stale pooled connection, gzip.
/// No redirects are followed. See docs/transport.md section 4.
///
/// Threading: thread-safe; any number of concurrent `execute` calls from any tasks. Each
/// connection lives on one loop of `group`.
public final class HTTPClient: HTTPExecuting, Sendable {
    public let group: EventLoopGroup
    public let options: HTTPClientOptions
    private let ownsGroup: Bool
    private let pools = Mutex<[String: ConnectionPool]>([:])
    private let tlsContext = Mutex<TLSContext?>(nil)
    private let resolver: DNSResolver

    public init(group: EventLoopGroup? = nil, options: HTTPClientOptions = HTTPClientOptions(), resolver: DNSResolver = .shared) throws {
        ownsGroup = group == nil
        self.group = try group ?? EventLoopGroup()
        self.options = options
        self.resolver = resolver
    }

    /// A client dropped without `shutdown()` still stops the loops it created (without joining).
    deinit {
        if ownsGroup { for loop in group.loops { loop.requestStop() } }
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = try RequestTarget(url: request.url)
        var body = request.body
        var extra: [(String, String)] = []
        if options.compressRequestBodies && body.count >= 1024 && request.headers["Content-Encoding"] == nil
            && request.headers["Content-Length"] == nil
        {
            body = try Gzip.compress(body)
            extra.append(("Content-Encoding", "gzip"))
        }
        let head = try RequestEncoder.encode(request, target: target, body: body, extraHeaders: extra)
        let deadline = MonotonicClock.now() &+ MonotonicClock.nanoseconds(timeout)
        let closeRequested = request.headers.values("Connection").contains { $0.lowercased().contains("close") }
        let pool = try pool(for: target)
        for attempt in 0..<2 {
            if Task.isCancelled { throw HTTPClientError.cancelled(host: target.host) }
            let exchange = ClientExchange(head: head, body: body, method: request.method, closeRequested: closeRequested, deadline: deadline)
            do {
                let response = try await send(exchange, target: target, pool: pool, deadline: deadline)
                return try decoded(response)
            } catch let failure as ExchangeFailure {
                if failure.retryable && attempt == 0 && MonotonicClock.now() < deadline { continue }
                throw failure.error
            }
        }
        throw HTTPClientError.connectionReset(host: target.host)
    }

    private func send(_ exchange: ClientExchange, target: RequestTarget, pool: ConnectionPool, deadline: UInt64) async throws -> HTTPResponse {
        let now = MonotonicClock.now()
        guard deadline > now else { throw HTTPClientError.requestTimeout(host: target.host) }
        let loop = group.next()
        switch try await pool.acquire(timeoutLoop: loop, remaining: .nanoseconds(Int64(deadline - now))) {
        case .reuse(let connection):
            return try await connection.run(exchange, addresses: [])
        case .fresh:
            let addresses: [SocketAddress]
            do { addresses = try await resolver.resolve(host: target.host, port: target.port) } catch {
                pool.releaseSlot()
                throw error
            }
            let tls = target.isTLS ? try clientTLSContext() : nil
            let connection = ClientConnection(loop: loop, pool: pool, host: target.host, port: target.port, tls: tls, options: options)
            return try await connection.run(exchange, addresses: addresses)
        }
    }

    private func decoded(_ response: HTTPResponse) throws -> HTTPResponse {
        guard options.decompressResponses, let coding = response.headers["Content-Encoding"], coding.lowercased() == "gzip" else {
            return response
        }
        var result = response
        do {
            result.body = try Gzip.decompress(response.body, limit: options.maxResponseBytes)
        } catch {
            if result.body.count > 0 && "\(error)".contains("over") { throw HTTPClientError.responseTooLarge(limit: options.maxResponseBytes) }
            throw HTTPClientError.protocolError("gzip body: \(error)")
        }
        result.headers.remove("Content-Encoding")
        result.headers.set("Content-Length", String(result.body.count))
        return result
    }

    private func pool(for target: RequestTarget) throws -> ConnectionPool {
        pools.withLock { pools in
            if let pool = pools[target.poolKey] { return pool }
            let pool = ConnectionPool(capacity: options.maxConnectionsPerHost, host: target.host)
            pools[target.poolKey] = pool
            return pool
        }
    }

    private func clientTLSContext() throws -> TLSContext {
        try tlsContext.withLock { context in
            if let context { return context }
            do {
                let created = try TLSContext(client: TLSClientConfiguration(
                    useSystemTrustStore: options.useSystemTrustStore, additionalTrustedCAFile: options.additionalTrustedCAFile))
                context = created
                return created
            } catch {
                throw HTTPClientError.tls("\(error)")
            }
        }
    }

    /// (idle, open) connections to the URL's origin, for tests and metrics.
    public func connectionCounts(for url: String) -> (idle: Int, total: Int) {
        guard let target = try? RequestTarget(url: url) else { return (0, 0) }
        return pools.withLock { $0[target.poolKey]?.counts ?? (0, 0) }
    }

    /// Closes idle connections, fails queued requests and stops the loops if the client made them.
    public func shutdown() async {
        let all = pools.withLock { Array($0.values) }
        for pool in all {
            for connection in pool.shutdown() {
                _ = try? await connection.loop.submit { connection.closeSocket() }
            }
        }
        if ownsGroup { group.syncShutdown() }
    }
}
