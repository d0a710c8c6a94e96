import Glibc

/// An HTTP/1.1 server: one SO_REUSEPORT listener per event loop, keep-alive, pipelining with
/// in-order responses, request limits (431/413/400), header-read and idle timeouts, optional TLS,
/// graceful shutdown. See docs/transport.md section 3.
///
/// Threading: all methods may be called from any task. Each connection lives on the loop that
/// accepted it; handlers run there (sync) or start there (async).
public final class HTTPServer: Sendable {
    public let port: Int
    public let group: EventLoopGroup
    private let ownsGroup: Bool
    private let contexts: [ServerLoopContext]
    private let counters: ServerCounters

    /// Binds, starts accepting and returns. `group` nil creates a group sized to the cores that the
    /// server shuts down with itself.
    public static func start(
        configuration: HTTPServerConfiguration, group: EventLoopGroup? = nil, handler: HTTPServerHandler
    ) async throws -> HTTPServer {
        let ownsGroup = group == nil
        let group = try group ?? EventLoopGroup()
        do {
            return try await HTTPServer(configuration: configuration, group: group, ownsGroup: ownsGroup, handler: handler)
        } catch {
            if ownsGroup { group.syncShutdown() }
            throw error
        }
    }

    private init(configuration: HTTPServerConfiguration, group: EventLoopGroup, ownsGroup: Bool, handler: HTTPServerHandler) async throws {
        guard var address = SocketAddress(numericHost: configuration.host, port: configuration.port) else {
            throw SystemError(call: "listen \(configuration.host) (numeric address expected)", errno: EINVAL)
        }
        let tls = try configuration.tls.map { try TLSContext(server: $0) }
        let counters = ServerCounters()
        var fds: [Int32] = []
        do {
            for _ in group.loops {
                let fd = try Socket.listener(address, backlog: configuration.backlog)
                fds.append(fd)
                // Port 0: the others must join the port the kernel picked for the first.
                if address.port == 0 { address = try Socket.localAddress(fd) }
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        let contexts = zip(group.loops, fds).map { loop, fd in
            ServerLoopContext(loop: loop, listenerFD: fd, configuration: configuration, handler: handler, tls: tls, counters: counters,
                              loopCount: group.loops.count)
        }
        for context in contexts {
            try await context.loop.submit { try context.start() }
        }
        self.port = address.port
        self.group = group
        self.ownsGroup = ownsGroup
        self.contexts = contexts
        self.counters = counters
    }

    /// Connections accepted since start (tests use it to observe keep-alive reuse).
    public var acceptedConnections: Int { counters.accepted.load(ordering: .relaxed) }
    public var openConnections: Int { counters.open.load(ordering: .relaxed) }
    public var requestsServed: Int { counters.requests.load(ordering: .relaxed) }
    /// Connections closed to make room under `maxConnections`.
    public var evictedConnections: Int { counters.evicted.load(ordering: .relaxed) }
    /// Connections accepted and closed at once (cap reached with nothing to evict, out of descriptors).
    public var refusedConnections: Int { counters.refused.load(ordering: .relaxed) }
    /// Failed `accept` calls; each pauses the listener for `acceptBackoff`.
    public var acceptFailures: Int { counters.acceptFailures.load(ordering: .relaxed) }

    /// Stops accepting, lets in-flight requests finish for up to `gracePeriod`, then closes
    /// everything (and stops the loops if the server created them).
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        for context in contexts { context.loop.execute { context.beginDrain() } }
        let deadline = ContinuousClock.now + gracePeriod
        while openConnections > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for context in contexts {
            _ = try? await context.loop.submit { context.closeAll() }
        }
        if ownsGroup { group.syncShutdown() }
    }
}
