/// HTTP/1.1 client with keep-alive pools, on our event loops. Thread-safe; share one per process.
///
/// Pools are per (scheme, host, port) and per loop. A caller running on one of the group's loops
/// (a task whose executor preference is that loop, or loop code) uses that loop's pool, so its
/// requests never leave its thread; callers anywhere else share one "home" pool per origin on a
/// loop picked at first use, and pay one hop each way. `maxConnectionsPerHost` therefore caps
/// each loop's pool. Redirects are never followed. https runs through `TLSClientFilter` (peer
/// verified against `configuration.tls`; failures are `HTTPClientError.tls` naming the host).
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
        /// The SSRF guard: where this client may connect (nil, the default, allows anything). Checked
        /// on each name resolution, before connecting; see `DestinationPolicy`.
        public var destinationPolicy: DestinationPolicy?

        public init() {}
    }

    public let configuration: Configuration
    private let group: EventLoopGroup
    private let resolver: any HostResolving
    private struct Pools {
        var byKey: [PoolKey: ConnectionPool] = [:]
        /// The loop whose pool serves callers that are not on a loop of this group.
        var home: [RequestTarget: Int] = [:]
        /// Connections opened by pools since forgotten, per origin (diagnostics; bounded like the rest).
        var retiredOpened = LRUCache<RequestTarget, Int>(capacity: 1_024)
    }
    private struct PoolKey: Hashable {
        let origin: RequestTarget
        let loop: Int
    }
    private let pools = Locked(Pools())
    /// Created on the first https request (loading the trust store costs milliseconds).
    private let tlsContext = Locked<TLSContext?>(nil)

    public init(group: EventLoopGroup = .shared, configuration: Configuration = Configuration(),
                resolver: any HostResolving = Resolver.shared) {
        self.group = group
        self.configuration = configuration
        self.resolver = resolver
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let prepared = try prepare(request)
        let pool = prepared.pool
        let pending = PendingRequest(prepared.encoded, timeout: timeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending.attach(continuation)
                submit(pending, to: pool)
            }
        } onCancel: {
            pool.loop.execute { pool.abort(pending, CancellationError()) }
        }
    }

    /// Loop-level variant for callers that live on an event loop (the load generator): no task,
    /// no continuation. `completion` runs exactly once, on the loop of the origin's pool; a caller
    /// already on that loop (for instance inside a previous completion) sends without a hop.
    public func execute(_ request: PreparedRequest, timeout: Duration,
                        completion: @escaping @Sendable (Result<HTTPResponse, Error>) -> Void) {
        let pending = PendingRequest(request.encoded, timeout: timeout)
        pending.attach(completion)
        submit(pending, to: request.pool)
    }

    /// Validates and encodes `request` once, for callers that send the same request many times
    /// (wrk formats its request once too). Throws what `execute` would for a bad URL or header.
    public func prepare(_ request: HTTPRequest) throws(HTTPClientError) -> PreparedRequest {
        let target = try RequestTarget(url: request.url)
        if let policy = configuration.destinationPolicy, let refused = policy.refusal(scheme: target.scheme, host: target.host) { throw refused }
        try RequestEncoder.validateMethod(request.method)
        try RequestEncoder.validate(request.headers)
        var body = request.body
        let gzipBody = configuration.gzipRequestBodies && body.count >= configuration.gzipRequestMinimumBytes
        if gzipBody { body = Gzip.compress(body) }
        let head = RequestEncoder.head(method: request.method, target: target, headers: request.headers,
                                       bodyCount: body.count,
                                       acceptGzip: configuration.decompressResponses && request.responseReading == .whole,
                                       gzippedBody: gzipBody)
        return PreparedRequest(pool: try pool(for: target),
                               encoded: EncodedRequest(method: request.method, target: target, head: head, body: body,
                                                        reading: request.responseReading))
    }

    private func submit(_ pending: PendingRequest, to pool: ConnectionPool) {
        if pool.loop.inEventLoop {
            pool.submit(pending)
        } else {
            pool.loop.execute { pool.submit(pending) }
        }
    }

    private func pool(for target: RequestTarget) throws(HTTPClientError) -> ConnectionPool {
        let origin = target.origin
        let tls = origin.scheme == "https" ? try sharedTLSContext() : nil
        let callerLoop = group.currentLoop?.index
        return pools.withLock { state in
            let loop: Int
            if let callerLoop {
                loop = callerLoop
            } else if let home = state.home[origin] {
                loop = home
            } else {
                loop = group.next().index
                state.home[origin] = loop
            }
            let key = PoolKey(origin: origin, loop: loop)
            if let pool = state.byKey[key] { return pool }
            let pool = ConnectionPool(target: origin, loop: group.loops[loop], config: configuration, resolver: resolver, tls: tls)
            pool.onEmpty = { [weak self] pool in self?.forget(pool, key: key, opened: pool.connectionsOpened) }
            state.byKey[key] = pool
            return pool
        }
    }

    /// Drops a pool that has gone empty (its last connection idled out or failed), so the map holds
    /// only origins in use: a stream of distinct hosts costs no memory once they are quiet. A request
    /// that picked the pool just before still runs on it (a forgotten pool works; it is only no
    /// longer handed out).
    private func forget(_ pool: ConnectionPool, key: PoolKey, opened: Int) {
        pools.withLock { state in
            guard state.byKey[key] === pool else { return }
            state.byKey[key] = nil
            state.retiredOpened.setValue((state.retiredOpened.peek(key.origin) ?? 0) + opened, forKey: key.origin)
            if state.home[key.origin] == key.loop, !state.byKey.keys.contains(where: { $0.origin == key.origin }) {
                state.home[key.origin] = nil
            }
        }
    }

    /// Origins with a pool (tests and diagnostics).
    public var poolCount: Int { pools.withLock { $0.byKey.count } }

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
        let origin = try RequestTarget(url: url).origin
        let (matching, retired) = pools.withLock { state in
            (state.byKey.filter { $0.key.origin == origin }.map(\.value), state.retiredOpened.peek(origin) ?? 0)
        }
        var total = retired
        for pool in matching { total += try await pool.loop.submit { pool.connectionsOpened } }
        return total
    }

    /// Idle connections close when the last reference to the client goes; requests still in
    /// flight keep their pool alive until they finish.
    deinit { shutdown() }

    /// Closes idle connections and fails queued requests; in-flight requests finish or time out.
    public func shutdown() {
        let all = pools.withLock { Array($0.byKey.values) }
        for pool in all { pool.loop.execute { pool.shutdown() } }
    }
}

/// A request validated and encoded for one client (see `HTTPClient.prepare`): its head bytes and
/// the pool of its origin. Immutable; send it as often as you like.
public struct PreparedRequest: Sendable {
    let pool: ConnectionPool
    let encoded: EncodedRequest
}
