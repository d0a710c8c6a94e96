import Glibc
import Synchronization

/// Counters shared by all of a server's loops. Thread-safe.
final class ServerCounters: Sendable {
    let accepted = Atomic<Int>(0)
    let open = Atomic<Int>(0)
    let requests = Atomic<Int>(0)

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
    private var sweepTimer: TimerID?
    private(set) var draining = false
    /// Refreshed once a second by the sweep, so responses never format a date.
    private(set) var date: [UInt8] = HTTPDate.now()
    /// Monotonic time, refreshed per event batch (timeouts need no more precision).
    var now: UInt64 { MonotonicClock.now() }

    init(loop: EventLoop, listenerFD: Int32, configuration: HTTPServerConfiguration, handler: HTTPServerHandler, tls: TLSContext?, counters: ServerCounters) {
        self.loop = loop
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
            guard listenerFD >= 0 else { return }
            let accepted: Int32?
            do { accepted = try Socket.accept(listenerFD) } catch { return }  // EMFILE, ECONNABORTED: retry on the next event
            guard let fd = accepted else { return }
            adopt(fd)
        }
    }

    private func adopt(_ fd: Int32) {
        Socket.setNoDelay(fd)
        let engine: TLSConnection?
        do { engine = try tlsContext.map { try TLSConnection(server: $0) } } catch {
            close(fd)
            return
        }
        let remote = (try? Socket.peerAddress(fd))?.description ?? ""
        let connection = ServerConnection(context: self, fd: fd, tls: engine, remoteAddress: remote)
        do { try loop.register(fd, .readable, connection) } catch {
            close(fd)
            return
        }
        connections[ObjectIdentifier(connection)] = connection
        counters.accepted.wrappingAdd(1, ordering: .relaxed)
        counters.open.wrappingAdd(1, ordering: .relaxed)
    }

    func connectionClosed(_ connection: ServerConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            counters.open.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    func loopStopped() { closeListener() }

    private func closeListener() {
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
        let idleLimit = MonotonicClock.nanoseconds(configuration.idleTimeout)
        for connection in Array(connections.values) {
            if connection.headStartedAt != 0 && now &- connection.headStartedAt > headLimit {
                connection.close()  // slowloris: a head that never completes
            } else if !connection.awaitingHandler && now &- connection.lastActivity > idleLimit {
                connection.close()
            }
        }
    }
}
