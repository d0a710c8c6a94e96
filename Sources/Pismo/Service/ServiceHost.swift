import Foundation
import Logging
import ServiceLifecycle
import Transport
import UnixSignals

/// Runs a long-lived Pismo service under swift-service-lifecycle: SIGTERM or SIGINT starts a
/// graceful shutdown — `/readyz` turns 503, the service drains (`ShutdownSignal`), then the metrics
/// endpoint closes — and the process exits 0. A second signal while draining exits at once (130):
/// the operator insisted.
public enum ServiceHost {
    /// `endpoint` is the service's metrics/health server, closed after the work has drained.
    public static func run(logger: Logger, readiness: Readiness = Readiness(), endpoint: HTTPServer? = nil,
                           _ body: @escaping @Sendable (ShutdownSignal) async -> Void) async throws {
        unblockShutdownSignals()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // Shut down in reverse order: the work drains first, the endpoint closes last.
        if let endpoint { services.append(.init(service: EndpointService(server: endpoint))) }
        services.append(.init(service: DrainingService(readiness: readiness, logger: logger, body: body)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// A parent may have started us with these signals blocked (Foundation's Process does): unblock
    /// them, or SIGTERM would sit pending forever and the container would be SIGKILLed.
    private static func unblockShutdownSignals() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}

/// The service's own work, told to drain through its `ShutdownSignal` on graceful shutdown.
private struct DrainingService: Service {
    let readiness: Readiness
    let logger: Logger
    let body: @Sendable (ShutdownSignal) async -> Void

    func run() async throws {
        let shutdown = ShutdownSignal()
        let (logger, readiness, body) = (self.logger, self.readiness, self.body)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withGracefulShutdownHandler {
                    await body(shutdown)
                } onGracefulShutdown: {
                    readiness.markDraining()
                    logger.info("shutdown signal: draining")
                    shutdown.trigger()
                }
            }
            group.addTask { await exitOnSecondSignal(after: shutdown) }
            await group.next()  // the work: the watcher only ever ends the process
            group.cancelAll()
        }
    }
}

/// Once draining has begun, another SIGTERM or SIGINT ends the process at once.
private func exitOnSecondSignal(after shutdown: ShutdownSignal) async {
    await shutdown.wait()
    guard !Task.isCancelled else { return }
    for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
        exit(130)
    }
}

/// The metrics/health endpoint as a service: serves until graceful shutdown reaches it.
private struct EndpointService: Service {
    let server: HTTPServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
