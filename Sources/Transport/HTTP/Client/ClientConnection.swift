import CHTTP
import Glibc

/// One client connection: connect (trying each resolved address), optional TLS handshake, then
/// request/response exchanges one at a time. Between exchanges it sits idle in its pool,
/// still registered for readability so a peer that closes it is noticed at once.
///
/// Threading: confined to `loop`. `@unchecked Sendable` because the pool (any thread) holds
/// references and hands them to callers, who only ever call `run`, which hops to the loop.
final class ClientConnection: Selectable, @unchecked Sendable {
    enum State { case fresh, connecting, handshaking, ready, closed }

    let loop: EventLoop
    let pool: ConnectionPool
    let host: String
    let port: Int
    let options: HTTPClientOptions
    private let tlsContext: TLSContext?
    var state = State.fresh
    var io: ConnectionIO?
    private var connectingFD: Int32 = -1
    private var addresses: [SocketAddress] = []
    private var addressIndex = 0
    private var connectTimer: TimerID?
    private var idleTimer: TimerID?
    let buffer = ReceiveBuffer()
    let parser: HeadParser
    var exchange: ClientExchange?
    /// Served an exchange before: failures of the next one may be a stale keep-alive connection.
    private(set) var reused = false
    private var interest: Interest = []

    init(loop: EventLoop, pool: ConnectionPool, host: String, port: Int, tls: TLSContext?, options: HTTPClientOptions) {
        self.loop = loop
        self.pool = pool
        self.host = host
        self.port = port
        self.tlsContext = tls
        self.options = options
        parser = HeadParser(maxHeaderBytes: options.maxHeaderBytes, maxBodyBytes: options.maxResponseBytes)
    }

    /// Sends the exchange's request and returns the response (throws `ExchangeFailure`).
    /// Cancelling the calling task fails the exchange with `.cancelled` and closes the connection
    /// (its state mid-response is unknown). Both closures run on the loop in submission order.
    func run(_ exchange: ClientExchange, addresses: [SocketAddress]) async throws -> HTTPResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.continuation = continuation
                loop.execute { self.start(exchange, addresses) }
            }
        } onCancel: {
            loop.execute {
                exchange.cancelled = true
                if self.exchange === exchange { self.fail(.cancelled(host: self.host), retryable: false) }
            }
        }
    }

    private func start(_ exchange: ClientExchange, _ addresses: [SocketAddress]) {
        self.exchange = exchange
        if let idleTimer { loop.cancelTimer(idleTimer) }
        idleTimer = nil
        if exchange.cancelled {
            fail(.cancelled(host: host), retryable: false)
            return
        }
        let remaining = exchange.deadline > MonotonicClock.now() ? exchange.deadline - MonotonicClock.now() : 0
        exchange.timer = loop.scheduleTimer(after: .nanoseconds(Int64(remaining))) { [self] in
            fail(.requestTimeout(host: host), retryable: false)
        }
        switch state {
        case .fresh:
            self.addresses = addresses
            connectNext()
        case .ready:
            // The peer may have closed the idle connection just before we took it.
            if peerHasClosed() {
                fail(.connectionReset(host: host), retryable: true)
            } else {
                writeRequest()
            }
        case .closed, .connecting, .handshaking:
            fail(.connectionReset(host: host), retryable: true)
        }
    }

    private func peerHasClosed() -> Bool {
        guard let io else { return true }
        var byte: UInt8 = 0
        let n = recv(io.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    // MARK: Connecting

    private func connectNext() {
        guard addressIndex < addresses.count else {
            fail(.connectionRefused(host: host, port: port), retryable: false)
            return
        }
        let address = addresses[addressIndex]
        addressIndex += 1
        do {
            let fd = try Socket.makeTCP(family: address.family)
            connectingFD = fd
            Socket.setNoDelay(fd)
            state = .connecting
            let connected = try Socket.connect(fd, address)
            try loop.register(fd, .writable, self)
            interest = .writable
            if connected {
                connectionEstablished()
            } else if connectTimer == nil, let exchange {
                let budget = min(MonotonicClock.nanoseconds(options.connectTimeout), exchange.deadline &- MonotonicClock.now())
                connectTimer = loop.scheduleTimer(after: .nanoseconds(Int64(budget))) { [self] in
                    fail(.connectTimeout(host: host, port: port), retryable: false)
                }
            }
        } catch {
            abandonAttempt(error.errno)
        }
    }

    /// This address failed; try the next one.
    private func abandonAttempt(_ code: Int32) {
        if connectingFD >= 0 {
            loop.deregister(connectingFD)
            close(connectingFD)
            connectingFD = -1
        }
        if addressIndex < addresses.count || code == ECONNREFUSED {
            connectNext()
        } else {
            fail(.protocolError("connect to \(host):\(port): \(String(cString: strerror(code)))"), retryable: false)
        }
    }

    private func connectionEstablished() {
        if let connectTimer { loop.cancelTimer(connectTimer) }
        connectTimer = nil
        var engine: TLSConnection?
        if let tlsContext {
            do { engine = try TLSConnection(client: tlsContext, serverName: host, port: port) } catch {
                fail(.tls("\(host): \(error)"), retryable: false)
                return
            }
        }
        io = ConnectionIO(fd: connectingFD, tls: engine)
        connectingFD = -1
        state = engine == nil ? .ready : .handshaking
        if state == .ready { writeRequest() } else { advanceHandshake() }
    }

    private func advanceHandshake() {
        guard let io else { return }
        do {
            switch try io.handshake() {
            case .bytes:
                state = .ready
                writeRequest()
            case .endOfStream: fail(.tls("\(host): connection closed during the handshake"), retryable: false)
            case .waitReadable: setInterest(.readable)
            case .waitWritable: setInterest([.readable, .writable])
            }
        } catch {
            fail(.tls("\(host): \(error)"), retryable: false)
        }
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        switch state {
        case .connecting:
            let code = Socket.pendingError(connectingFD)
            if code == 0 { connectionEstablished() } else { abandonAttempt(code) }
        case .handshaking:
            advanceHandshake()
        case .ready:
            if exchange == nil {
                idleConnectionEvent()
                return
            }
            if events & EPOLLOUT.rawValue != 0 { writeRequest() }
            if exchange != nil && events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0 {
                readResponse()
            }
        case .fresh, .closed:
            break
        }
    }

    func loopStopped() {
        if exchange != nil { fail(.shutdown, retryable: false) } else { closeSocket() }
    }

    /// An idle connection became readable: the peer closed it (or sent bytes nobody asked for,
    /// which also makes it unusable).
    private func idleConnectionEvent() {
        closeSocket()
        _ = pool.removeIdle(self)
    }

    func writeRequest() {
        guard let exchange, let io else { return }
        do {
            let before = exchange.output.count
            let done = try exchange.output.flush(io)
            exchange.bytesWritten += before - exchange.output.count
            setInterest(done && !io.hasPendingOutput ? .readable : [.readable, .writable])
        } catch {
            failAfterIO(error)
        }
    }

    func setInterest(_ wanted: Interest) {
        guard wanted != interest, let fd = io?.fd ?? (connectingFD >= 0 ? connectingFD : nil) else { return }
        interest = wanted
        try? loop.setInterest(fd, wanted)
    }

    // MARK: Completion

    /// Ends the exchange with a failure; the connection is closed and its slot freed.
    func fail(_ error: HTTPClientError, retryable: Bool) {
        guard let exchange else { return }
        self.exchange = nil
        if let timer = exchange.timer { loop.cancelTimer(timer) }
        closeSocket()
        _ = pool.release(self, reusable: false)
        exchange.continuation?.resume(throwing: ExchangeFailure(error: error, retryable: retryable))
        exchange.continuation = nil
    }

    /// The response is complete: hand the connection back, then the response to the caller.
    func succeed(_ response: HTTPResponse, reusable: Bool) {
        guard let exchange else { return }
        self.exchange = nil
        reused = true
        if let timer = exchange.timer { loop.cancelTimer(timer) }
        if !reusable { closeSocket() }
        buffer.shrinkIfIdle()
        if pool.release(self, reusable: reusable) { startIdleTimer() }
        exchange.continuation?.resume(returning: response)
        exchange.continuation = nil
    }

    private func startIdleTimer() {
        idleTimer = loop.scheduleTimer(after: options.idleTimeout) { [self] in
            idleTimer = nil
            if pool.removeIdle(self) { closeSocket() }
        }
    }

    func closeSocket() {
        if let connectTimer { loop.cancelTimer(connectTimer) }
        connectTimer = nil
        if let idleTimer { loop.cancelTimer(idleTimer) }
        idleTimer = nil
        if connectingFD >= 0 {
            loop.deregister(connectingFD)
            close(connectingFD)
            connectingFD = -1
        }
        if let io {
            loop.deregister(io.fd)
            io.close()
            self.io = nil
        }
        state = .closed
    }
}
