import Synchronization

/// HTTP/1.1 client with keep-alive pools, on our event loops. Thread-safe; share one per process.
///
/// Each (scheme, host, port) gets one pool pinned to one loop; requests for it are queued there.
/// Redirects are never followed. https runs through `TLSClientFilter` (peer verified against
/// `configuration.tls`; failures are `HTTPClientError.tls` naming the host). `execute` may be called from any task; a task running on
/// the pool's loop (see `EventLoop` as executor) resumes without a thread hop.
public final class HTTPClient: HTTPExecuting {
    public struct Configuration: Sendable {
        public var maxConnectionsPerHost = 64
        public var connectTimeout: Duration = .seconds(10)
        /// Idle pooled connections older than this are closed.
        public var idleTimeout: Duration = .seconds(60)
        public var maxResponseBytes = 64 * 1024 * 1024
        /// Sends `Accept-Encoding: gzip` and inflates gzip responses (removing Content-Encoding).
        public var decompressResponses = true
        /// Gzips request bodies of at least `gzipRequestMinimumBytes` and sets Content-Encoding.
        public var gzipRequestBodies = false
        public var gzipRequestMinimumBytes = 1024
        /// Trust and protocol settings for https (system trust store by default).
        public var tls = TLSClientConfiguration()

        public init() {}
    }

    public let configuration: Configuration
    private let group: EventLoopGroup
    private let resolver: Resolver
    private let pools = Mutex<[RequestTarget: ConnectionPool]>([:])
    /// Created on the first https request (loading the trust store costs milliseconds).
    private let tlsContext = Mutex<TLSContext?>(nil)

    public init(group: EventLoopGroup = .shared, configuration: Configuration = Configuration(),
                resolver: Resolver = .shared) {
        self.group = group
        self.configuration = configuration
        self.resolver = resolver
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = try RequestTarget(url: request.url)
        try RequestEncoder.validateMethod(request.method)
        try RequestEncoder.validate(request.headers)
        var body = request.body
        let gzipBody = configuration.gzipRequestBodies && body.count >= configuration.gzipRequestMinimumBytes
        if gzipBody { body = Gzip.compress(body) }
        let head = RequestEncoder.head(method: request.method, target: target, headers: request.headers,
                                       bodyCount: body.count, acceptGzip: configuration.decompressResponses,
                                       gzippedBody: gzipBody)
        let pool = try self.pool(for: target)
        let pending = PendingRequest(method: request.method, target: target, head: head, body: body,
                                     deadline: monotonicNanos() &+ timeout.nanoseconds)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending.attach(continuation)
                pool.loop.execute { pool.submit(pending) }
            }
        } onCancel: {
            pool.loop.execute { pool.abort(pending, CancellationError()) }
        }
    }

    private func pool(for target: RequestTarget) throws(HTTPClientError) -> ConnectionPool {
        let key = RequestTarget(scheme: target.scheme, host: target.host, port: target.port)
        let tls = key.scheme == "https" ? try sharedTLSContext() : nil
        return pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = ConnectionPool(target: key, loop: group.next(), config: configuration, resolver: resolver, tls: tls)
            pools[key] = pool
            return pool
        }
    }

    private func sharedTLSContext() throws(HTTPClientError) -> TLSContext {
        let result = tlsContext.withLock { slot -> Result<TLSContext, HTTPClientError> in
            if let context = slot { return .success(context) }
            do {
                let context = try TLSContext(client: configuration.tls)
                slot = context
                return .success(context)
            } catch {
                return .failure(.tls("cannot create the TLS client context: \(error)"))
            }
        }
        return try result.get()
    }

    /// Number of TCP connections opened so far to `url`'s origin (diagnostics and tests).
    public func connectionsOpened(to url: String) async throws -> Int {
        let pool = try self.pool(for: try RequestTarget(url: url))
        return try await pool.loop.submit { pool.connectionsOpened }
    }

    /// Idle connections close when the last reference to the client goes; requests still in
    /// flight keep their pool alive until they finish.
    deinit { shutdown() }

    /// Closes idle connections and fails queued requests; in-flight requests finish or time out.
    public func shutdown() {
        let all = pools.withLock { Array($0.values) }
        for pool in all { pool.loop.execute { pool.shutdown() } }
    }
}

extension RequestTarget {
    /// The pool key: origin only.
    init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = "/"
    }
}
