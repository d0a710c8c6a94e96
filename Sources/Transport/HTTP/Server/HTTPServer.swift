#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// HTTP/1.1 server: one SO_REUSEPORT listener per loop (the kernel balances accepted connections),
/// keep-alive, pipelining with in-order responses, request read and idle timeouts, size limits
/// (400/413/414/431 from the parser's error codes), graceful shutdown.
///
/// Thread-safe. `start()` binds synchronously, so `port` is valid when it returns.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let group: EventLoopGroup
    private let handler: HTTPServerHandler
    private let states = Mutex<[ServerLoopState]>([])
    private let boundPort = Atomic<Int>(0)

    public init(group: EventLoopGroup = .shared, configuration: Configuration = Configuration(), handler: HTTPServerHandler) {
        self.group = group
        self.configuration = configuration
        self.handler = handler
    }

    /// Convenience for the fast path: a synchronous handler run on the loop thread.
    public convenience init(group: EventLoopGroup = .shared, configuration: Configuration = Configuration(),
                            _ handler: @escaping @Sendable (HTTPServerRequest) -> HTTPResponse) {
        self.init(group: group, configuration: configuration, handler: .sync(handler))
    }

    /// The bound port (after `start()`).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    public func start() async throws {
        guard var address = SocketAddress(numericHost: configuration.host, port: configuration.port) else {
            throw SystemError(call: "bind(\(configuration.host))", errno: EINVAL)
        }
        let loops = Array(group.loops.prefix(configuration.loopCount ?? group.loops.count))
        var started: [ServerLoopState] = []
        for loop in loops {
            let fd = try Socket.listen(on: address, backlog: configuration.backlog)
            if address.port == 0 { address = address.withPort(try Socket.localAddress(fd).port) }
            let state = ServerLoopState(loop: loop, listenFD: fd, config: configuration, handler: handler)
            try await loop.submit { try state.start() }
            started.append(state)
        }
        boundPort.store(address.port, ordering: .releasing)
        states.withLock { $0 = started }
    }

    /// Total connections accepted so far (tests use it to prove keep-alive).
    public func acceptedConnections() async throws -> Int {
        var total = 0
        for state in states.withLock({ $0 }) { total += try await state.loop.submit { state.acceptedCount } }
        return total
    }

    /// Stops accepting, lets in-flight requests finish (up to `gracePeriod`), then closes the rest.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        let all = states.withLock { $0 }
        for state in all { state.loop.execute { state.beginShutdown() } }
        let deadline = ContinuousClock.now + gracePeriod
        while ContinuousClock.now < deadline {
            var open = 0
            for state in all { open += (try? await state.loop.submit { state.connectionCount }) ?? 0 }
            if open == 0 { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        for state in all { state.loop.execute { state.forceClose() } }
    }
}
