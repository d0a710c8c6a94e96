import CSystemShims
import Glibc
import Synchronization

/// Counters shared by all of a server's loops. Thread-safe.
final class ServerCounters: Sendable {
    let accepted = Atomic<Int>(0)
    let open = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    /// Connections closed to make room for a new one (`maxConnections`).
    let evicted = Atomic<Int>(0)
    /// Connections accepted and closed at once: at the cap with nothing to evict, or out of descriptors.
    let refused = Atomic<Int>(0)
    /// `accept` calls that failed (EMFILE, ENFILE, ...), each followed by a pause.
    let acceptFailures = Atomic<Int>(0)

    func countRequest() { requests.wrappingAdd(1, ordering: .relaxed) }
}

/// A server's presence on one loop: its SO_REUSEPORT listener, the connections accepted there,
/// the cached Date header and the once-a-second sweep that enforces timeouts.
///
/// Threading: loop-confined after `start()`. `@unchecked Sendable` so the server can ask the loop
/// (via `execute`) to start, drain or stop it; those closures run on the loop thread.
final class ServerLoopContext: Selectable, @unchecked Sendable {
    let loop: EventLoop
    let configuration: HTTPServerConfiguration
    let handler: HTTPServerHandler
    let tlsContext: TLSContext?
    let counters: ServerCounters
    private var listenerFD: Int32
    private var connections: [ObjectIdentifier: ServerConnection] = [:]
    /// This loop's share of `maxConnections`.
    private let connectionCap: Int
    private var spare = SpareDescriptor()
    private var acceptPaused = false
    private var sweepTimer: TimerID?
    private(set) var draining = false
    /// Refreshed once a second by the sweep, so responses never format a date.
    private(set) var date: [UInt8] = HTTPDate.now()
    /// Monotonic time, refreshed per event batch (timeouts need no more precision).
    var now: UInt64 { MonotonicClock.now() }

    init(loop: EventLoop, listenerFD: Int32, configuration: HTTPServerConfiguration, handler: HTTPServerHandler, tls: TLSContext?,
         counters: ServerCounters, loopCount: Int) {
        self.loop = loop
        connectionCap = max(1, configuration.maxConnections / max(1, loopCount))
        self.listenerFD = listenerFD
        self.configuration = configuration
        self.handler = handler
        self.tlsContext = tls
        self.counters = counters
    }

    func start() throws {
        try loop.register(listenerFD, .readable, self)
        scheduleSweep()
    }

    func handleEvents(_ events: UInt32) {
        // Bounded so one busy listener cannot starve the connections of this loop.
        for _ in 0..<64 {
            guard listenerFD >= 0, !acceptPaused else { return }
            let accepted: Int32?
            do { accepted = try Socket.accept(listenerFD) } catch {
                acceptFailed(error)
                return
            }
            guard let fd = accepted else { return }
            guard makeRoom() else {
                // Nothing evictable (every connection is busy or just arrived): answer a request
                // that is already waiting, then close. A probe still gets its answer in a flood.
                adopt(fd)?.close()
                counters.refused.wrappingAdd(1, ordering: .relaxed)
                continue
            }
            adopt(fd)
        }
    }

    /// A connection that went away before we took it (ECONNABORTED, EPROTO) costs nothing; any
    /// other failure (out of descriptors or memory) would fail again at once, so the listener
    /// sheds the waiting connection through the spare descriptor and pauses for `acceptBackoff`.
    private func acceptFailed(_ error: SystemError) {
        if error.errno == ECONNABORTED || error.errno == EPROTO || error.errno == EPERM { return }
        counters.acceptFailures.wrappingAdd(1, ordering: .relaxed)
        if error.errno == EMFILE || error.errno == ENFILE {
            spare.shedOne(listener: listenerFD)
            counters.refused.wrappingAdd(1, ordering: .relaxed)
        }
        acceptPaused = true
        try? loop.setInterest(listenerFD, [])
        _ = loop.scheduleTimer(after: configuration.acceptBackoff) { [self] in
            self.acceptPaused = false
            if self.listenerFD >= 0 { try? self.loop.setInterest(self.listenerFD, .readable) }
        }
    }

    /// A connection younger than this (since its last byte) is never evicted: a probe accepted in
    /// the middle of a flood must get the time to send its request and be answered.
    static let evictionGrace: UInt64 = 250_000_000

    /// At the cap, closes the connection that has gone longest without a byte either way and is
    /// not waiting for its handler (idle ones first): whoever holds many idle connections loses
    /// them to newcomers instead of locking everyone out. False when nothing can be evicted.
    private func makeRoom() -> Bool {
        guard connections.count >= connectionCap else { return true }
        let cutoff = now &- Self.evictionGrace
        var victim: ServerConnection?
        for connection in connections.values where !connection.awaitingHandler && connection.lastActivity < cutoff {
            guard let current = victim else {
                victim = connection
                continue
            }
            let (a, b) = (connection.hasRequestInProgress, current.hasRequestInProgress)
            if (!a && b) || (a == b && connection.lastActivity < current.lastActivity) { victim = connection }
        }
        guard let victim else { return false }
        victim.close()
        counters.evicted.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    @discardableResult
    private func adopt(_ fd: Int32) -> ServerConnection? {
        Socket.setNoDelay(fd)
        let engine: TLSConnection?
        do { engine = try tlsContext.map { try TLSConnection(server: $0) } } catch {
            close(fd)
            return nil
        }
        let remote = (try? Socket.peerAddress(fd))?.description ?? ""
        let connection = ServerConnection(context: self, fd: fd, tls: engine, remoteAddress: remote)
        do { try loop.register(fd, .readable, connection) } catch {
            close(fd)
            return nil
        }
        connections[ObjectIdentifier(connection)] = connection
        counters.accepted.wrappingAdd(1, ordering: .relaxed)
        counters.open.wrappingAdd(1, ordering: .relaxed)
        // A request already waiting (a probe sends as soon as it is connected) is answered now,
        // before the rest of a flood of accepts can crowd it out.
        connection.handleEvents(EPOLLIN.rawValue)
        return connection
    }

    func connectionClosed(_ connection: ServerConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            counters.open.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    func loopStopped() { closeListener() }

    private func closeListener() {
        spare.release()
        guard listenerFD >= 0 else { return }
        loop.deregister(listenerFD)
        close(listenerFD)
        listenerFD = -1
    }

    /// Graceful shutdown, step 1: stop accepting, close idle connections, let the others finish
    /// their current response (which goes out with `Connection: close`).
    func beginDrain() {
        draining = true
        closeListener()
        for connection in Array(connections.values) { connection.closeWhenIdle() }
    }

    /// Graceful shutdown, step 2 (after the grace period): close whatever is left.
    func closeAll() {
        closeListener()
        for connection in Array(connections.values) { connection.close() }
        if let sweepTimer { loop.cancelTimer(sweepTimer) }
        sweepTimer = nil
    }

    private func scheduleSweep() {
        // Strong, not weak: a weak reference gives the context a side table, which sends every
        // retain of it (one per request through `ServerConnection.context`) down the slow path.
        // The timer keeps the context at most one period longer; it stops re-arming once the
        // listener and every connection are closed.
        sweepTimer = loop.scheduleTimer(after: .seconds(1)) { [self] in
            self.date = HTTPDate.now()
            self.enforceTimeouts()
            if self.listenerFD >= 0 || !self.connections.isEmpty { self.scheduleSweep() }
        }
    }

    private func enforceTimeouts() {
        let now = self.now
        let headLimit = MonotonicClock.nanoseconds(configuration.headerReadTimeout)
        let requestLimit = MonotonicClock.nanoseconds(configuration.requestReadTimeout)
        let idleLimit = MonotonicClock.nanoseconds(configuration.idleTimeout)
        for connection in Array(connections.values) {
            if connection.headStartedAt != 0 && now &- connection.headStartedAt > headLimit {
                connection.close()  // slowloris: a head that never completes
            } else if connection.requestStartedAt != 0 && now &- connection.requestStartedAt > requestLimit {
                connection.close()  // a body trickled in too slowly to ever finish
            } else if !connection.awaitingHandler && now &- connection.lastActivity > idleLimit {
                connection.close()
            }
        }
    }
}
