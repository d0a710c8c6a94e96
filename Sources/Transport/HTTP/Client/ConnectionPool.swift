#if canImport(Glibc)
import Glibc
#endif

/// Keep-alive connections to one (scheme, host, port), all on one loop. Loop-confined.
///
/// Invariants: at most `maxConnectionsPerHost` connections exist (open, connecting or resolving);
/// idle connections are reused last-in first-out (the warmest socket, and the cold ones age out
/// through the idle sweep); a waiter is served by the next connection that becomes free.
final class ConnectionPool: @unchecked Sendable {
    let target: RequestTarget
    let loop: EventLoop
    let config: HTTPClient.Configuration
    private let resolver: any HostResolving
    /// Set for https pools.
    private let tls: TLSContext?
    private var connections: [ObjectIdentifier: ClientConnection] = [:]
    private var idle: [ClientConnection] = []
    private var waiters: [PendingRequest] = []
    /// Connections being resolved or connected: each will serve one waiter when ready.
    private var establishing = 0
    private var resolving = 0
    private var sweepTimer: LoopTimer?
    private var deadlineTimer: LoopTimer?
    private var deadlineTimerAt = UInt64.max
    private var isShutDown = false
    /// Total TCP connections ever opened (tests use it to prove reuse).
    private(set) var connectionsOpened = 0
    /// Called on the loop when the pool has nothing left (no connection, none being made, no waiter),
    /// so the client can forget it: pools per origin must not grow without bound (random hosts).
    var onEmpty: (@Sendable (ConnectionPool) -> Void)?

    init(target: RequestTarget, loop: EventLoop, config: HTTPClient.Configuration, resolver: any HostResolving, tls: TLSContext?) {
        self.tls = tls
        self.target = target
        self.loop = loop
        self.config = config
        self.resolver = resolver
    }

    private var total: Int { connections.count + resolving }

    func submit(_ request: PendingRequest) {
        request.isSubmitted = true
        guard !isShutDown else { return request.fail(HTTPClientError.shutdown) }
        guard !request.isCancelled else { return request.fail(CancellationError()) }
        armDeadlineTimer(request.deadline)
        waiters.append(request)
        serviceWaiters()
    }

    /// One timer per pool instead of one per request (a timer per request cost a heap insert, a
    /// closure and a cancel on the hot path): it fires at the earliest deadline armed so far, fails
    /// whatever has expired and re-arms for the earliest remaining. Requests of a pool mostly share
    /// one timeout, so while they succeed it fires about once per timeout period.
    private func armDeadlineTimer(_ deadline: UInt64) {
        guard deadline < deadlineTimerAt else { return }
        deadlineTimer?.cancel()
        deadlineTimerAt = deadline
        deadlineTimer = loop.scheduleOnLoop(deadline: deadline) { [self] in self.expireOverdueRequests() }
    }

    private func expireOverdueRequests() {
        deadlineTimer = nil
        deadlineTimerAt = .max
        let now = monotonicNanos()
        var overdue: [PendingRequest] = []
        var nextDeadline = UInt64.max
        func check(_ request: PendingRequest) {
            if request.isFinished { return }
            if request.deadline <= now { overdue.append(request) } else { nextDeadline = min(nextDeadline, request.deadline) }
        }
        waiters.forEach(check)
        for connection in connections.values { if let request = connection.current { check(request) } }
        for request in overdue { abort(request, HTTPClientError.requestTimeout(host: target.host)) }
        if nextDeadline != .max { armDeadlineTimer(nextDeadline) }
    }

    /// Times out or cancels a request wherever it is: queued, or on a connection (which is closed,
    /// since the response can no longer be matched to a request).
    func abort(_ request: PendingRequest, _ error: Error) {
        request.isCancelled = true
        // A cancellation can overtake the submission: the caller's thread may still be attaching
        // the continuation, so an unsubmitted request is only marked; `submit` then fails it.
        guard request.isSubmitted else { return }
        if let i = waiters.firstIndex(where: { $0 === request }) { waiters.remove(at: i) }
        let connection = request.connection
        request.fail(error)
        connection?.channel.close(error: nil)
    }

    private func serviceWaiters() {
        while !waiters.isEmpty, let connection = idle.popLast() {
            connection.start(waiters.removeFirst())
        }
        while waiters.count > establishing && total < config.maxConnectionsPerHost {
            openConnection()
        }
    }

    // MARK: Connecting

    private func openConnection() {
        establishing += 1
        resolving += 1
        resolver.resolve(host: target.host, port: target.port) { [self] result in
            loop.execute { self.resolved(result) }
        }
    }

    private func resolved(_ result: Result<[SocketAddress], HTTPClientError>) {
        resolving -= 1
        switch result {
        case .success(let addresses):
            if let policy = config.destinationPolicy,
               let refused = policy.refusal(host: target.host, addresses: addresses.map(IPAddress.init)) {
                return destinationRefused(refused)
            }
            connect(addresses[...])  // exactly the addresses just checked: no second lookup to rebind
        case .failure(let error): connectFailed(error)
        }
    }

    /// The destination policy refused what the name resolved to: no connection is made, and every
    /// waiter fails now (each would be refused the same way; making them resolve in turn would only
    /// hold them until their deadlines).
    private func destinationRefused(_ error: HTTPClientError) {
        establishing -= 1
        let refused = waiters
        waiters.removeAll()
        for waiter in refused { waiter.fail(error) }
    }

    private func connect(_ addresses: ArraySlice<SocketAddress>) {
        guard let address = addresses.first else { return connectFailed(HTTPClientError.connectFailed(host: target.host, port: target.port, reason: "no address")) }
        let fd: Int32
        do { fd = try Socket.makeTCP(family: address.family) } catch { return connectFailed(error) }
        do {
            Socket.setNoDelay(fd)
            let immediate = try Socket.connect(fd, address) || Socket.isConnected(fd)
            let channel = try Channel(fd: fd, loop: loop, connecting: !immediate)
            let connection = ClientConnection(channel: channel, pool: self, maxResponseBytes: config.maxResponseBytes)
            connection.fallbackAddresses = addresses.dropFirst()
            connections[ObjectIdentifier(connection)] = connection
            connectionsOpened += 1
            if let tls {
                // A failure here closes the channel, which reports through connectionClosed.
                do { channel.attach(filter: TLSClientFilter(try TLSConnection(client: tls, serverName: target.host, port: target.port))) } catch {
                    connection.fallbackAddresses = []
                    channel.close(error: HTTPClientError.tls("\(target.host): \(error)"))
                    return
                }
                guard channel.state != .closed else { return }
            }
            if immediate { return connection.channelDidConnect(channel) }
            connection.connectTimer = loop.scheduleOnLoop(deadline: monotonicNanos() &+ config.connectTimeout.nanoseconds) { [target] in
                channel.close(error: HTTPClientError.connectTimeout(host: target.host, port: target.port))
            }
        } catch {
            close(fd)
            if addresses.count > 1 { return connect(addresses.dropFirst()) }
            connectFailed(error)
        }
    }

    /// A connection attempt failed: the oldest waiter gets the error (each waiter caused at most one
    /// attempt, so a dead host fails every waiter instead of leaving some hanging).
    private func connectFailed(_ error: Error) {
        establishing -= 1
        if !waiters.isEmpty { waiters.removeFirst().fail(mapConnectError(error)) }
        serviceWaiters()
        reportIfEmpty()
    }

    private func reportIfEmpty() {
        if connections.isEmpty, waiters.isEmpty, establishing == 0, resolving == 0 { onEmpty?(self) }
    }

    private func mapConnectError(_ error: Error) -> Error {
        if let e = error as? HTTPClientError { return e }
        if let e = error as? SystemError {
            switch e.errno {
            case ECONNREFUSED: return HTTPClientError.connectionRefused(host: target.host, port: target.port)
            case ETIMEDOUT: return HTTPClientError.connectTimeout(host: target.host, port: target.port)
            default: return HTTPClientError.connectFailed(host: target.host, port: target.port, reason: e.description)
            }
        }
        return HTTPClientError.connectFailed(host: target.host, port: target.port, reason: "\(error)")
    }

    // MARK: Connection life cycle (called by ClientConnection)

    func connectionReady(_ connection: ClientConnection) {
        establishing -= 1
        release(connection, reusable: true)
    }

    func release(_ connection: ClientConnection, reusable: Bool) {
        guard reusable && !isShutDown else { return connection.channel.close(error: nil) }
        while let next = waiters.first {
            waiters.removeFirst()
            if !next.isFinished { return connection.start(next) }
        }
        connection.idleSince = monotonicNanos()
        idle.append(connection)
        armSweep()
    }

    func requestLostConnection(_ request: PendingRequest, retry: Bool, error: Error) {
        if retry && request.attempts == 0 && !isShutDown {
            request.attempts += 1
            waiters.insert(request, at: 0)
        } else {
            request.fail(error)
        }
    }

    func connectionClosed(_ connection: ClientConnection, wasConnected: Bool, error: Error?) {
        connections[ObjectIdentifier(connection)] = nil
        if let i = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: i) }
        if !wasConnected {
            let isTimeout = (error as? HTTPClientError).map { if case .connectTimeout = $0 { return true } else { return false } } ?? false
            if !isTimeout && !connection.fallbackAddresses.isEmpty && !isShutDown {
                return connect(connection.fallbackAddresses)
            }
            return connectFailed(error ?? HTTPClientError.connectionReset(host: target.host))
        }
        serviceWaiters()
        reportIfEmpty()
    }

    // MARK: Idle sweep and shutdown

    private func armSweep() {
        guard sweepTimer == nil else { return }
        let period = max(config.idleTimeout.nanoseconds / 2, 10_000_000)
        sweepTimer = loop.scheduleOnLoop(deadline: monotonicNanos() &+ period) { [self] in
            self.sweepTimer = nil
            let cutoff = monotonicNanos() &- self.config.idleTimeout.nanoseconds
            for connection in self.idle where connection.idleSince <= cutoff { connection.channel.close(error: nil) }
            if !self.idle.isEmpty { self.armSweep() }
        }
    }

    func shutdown() {
        isShutDown = true
        for w in waiters { w.fail(HTTPClientError.shutdown) }
        waiters.removeAll()
        for connection in idle { connection.channel.close(error: nil) }
        sweepTimer?.cancel()
        sweepTimer = nil
    }

    var idleCount: Int { idle.count }
}
