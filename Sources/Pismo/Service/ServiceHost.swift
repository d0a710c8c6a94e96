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
        // Trapped before the work starts (ServiceGroup trapped its own even earlier), so every signal
        // the group drains on is counted here too, however late this task gets to run.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
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
            group.addTask { await exitOnSecondSignal(signals) }
            await group.next()  // the work: the watcher only ever ends the process
            group.cancelAll()
        }
    }
}

/// The first SIGTERM or SIGINT drains (ServiceGroup acts on it); the second ends the process at once.
/// Counting signals rather than waiting for the drain to begin and then trapping: a second signal
/// sent right after "draining" is logged would otherwise reach only ServiceGroup, which ignores it.
private func exitOnSecondSignal(_ signals: UnixSignalsSequence) async {
    var seen = 0
    for await _ in signals {
        seen += 1
        if seen >= 2 { exit(130) }
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
