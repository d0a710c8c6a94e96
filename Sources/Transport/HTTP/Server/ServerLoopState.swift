import CHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The server's presence on one loop: a SO_REUSEPORT listener, the connections it accepted, the
/// Date cache and the timeout sweep. Loop-confined.
final class ServerLoopState: EventHandler, @unchecked Sendable {
    let loop: EventLoop
    let config: HTTPServer.Configuration
    let handler: HTTPServerHandler
    let date = DateCache()
    private var listenFD: Int32
    private var connections: [ObjectIdentifier: ServerConnection] = [:]
    private var sweepTimer: LoopTimer?
    private(set) var isShuttingDown = false
    private(set) var acceptedCount = 0

    init(loop: EventLoop, listenFD: Int32, config: HTTPServer.Configuration, handler: HTTPServerHandler) {
        self.loop = loop
        self.listenFD = listenFD
        self.config = config
        self.handler = handler
    }

    func start() throws(SystemError) {
        try loop.register(listenFD, events: EPOLLIN.rawValue, handler: self)
        scheduleSweep()
    }

    var connectionCount: Int { connections.count }

    func handleEvents(_ events: UInt32) {
        // Bounded so one busy listener cannot starve the connections already on this loop.
        for _ in 0..<64 {
            guard listenFD >= 0 else { return }
            let fd: Int32?
            do { fd = try Socket.accept(listenFD) } catch { return }  // EMFILE, ECONNABORTED: try again next wake-up
            guard let fd else { return }
            try? Socket.setNoDelay(fd)
            do {
                let channel = try Channel(fd: fd, loop: loop, connecting: false)
                let connection = ServerConnection(channel: channel, state: self)
                connections[ObjectIdentifier(connection)] = connection
                acceptedCount += 1
            } catch {
                close(fd)
            }
        }
    }

    func connectionClosed(_ connection: ServerConnection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    /// Every 250 ms: close connections that stalled mid-request (408) or idled too long.
    private func scheduleSweep() {
        sweepTimer = loop.scheduleOnLoop(deadline: monotonicNanos() &+ 250_000_000) { [weak self] in
            guard let self, self.listenFD >= 0 || !self.connections.isEmpty else { return }
            self.sweep()
            self.scheduleSweep()
        }
    }

    private func sweep() {
        let now = monotonicNanos()
        let readLimit = config.requestReadTimeout.nanoseconds
        let idleLimit = config.idleTimeout.nanoseconds
        for connection in connections.values {
            if connection.isIdle {
                if now &- connection.lastActivity > idleLimit || isShuttingDown { connection.channel.close(error: nil) }
            } else if connection.requestStartedAt != 0 && now &- connection.requestStartedAt > readLimit {
                connection.reject(408)
            }
        }
    }

    /// Stops accepting; idle connections close now, busy ones after their current response.
    func beginShutdown() {
        isShuttingDown = true
        closeListener()
        for connection in connections.values where connection.isIdle { connection.channel.close(error: nil) }
    }

    func forceClose() {
        for connection in connections.values { connection.channel.close(error: nil) }
    }

    private func closeListener() {
        guard listenFD >= 0 else { return }
        loop.deregister(listenFD)
        close(listenFD)
        listenFD = -1
    }

    func loopIsClosing() {
        closeListener()
        sweepTimer?.cancel()
    }
}
