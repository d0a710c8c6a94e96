import Foundation
import Logging
import Pismo
import Transport

/// What every subcommand does the same way: logging, the process's wiring, the event loop, errors.
enum CommandRuntime {
    /// Installs the JSON log handler at the settings' level and assembles the process's clients.
    static func start(_ settings: PismoSettings, readiness: Readiness? = nil) -> Wiring {
        JSONLogHandler.bootstrap(level: settings.logLevel)
        return Wiring.production(settings, readiness: readiness)
    }

    /// Runs a long-lived service with an event loop as its task executor preference. Its tasks and
    /// their child tasks then run on the loop thread that also carries their HTTP connections (the
    /// client gives a caller on a loop that loop's pool), so an AWS call or a webhook completes
    /// without waking a cooperative-pool thread and back: about 25 µs of CPU per round trip saved
    /// (`pismo-microbench loop-hop`). One loop per process; scale out with more processes.
    static func onEventLoop(_ body: () async throws -> Void) async throws {
        try await withTaskExecutorPreference(EventLoopGroup.shared.loops[0], operation: body)
    }

    /// Runs `body` (a service's work) with, when `PISMO_METRICS_EMF` is on, the EMF reporter beside
    /// it; the reporter writes its last line once the work has drained.
    static func reportingEMF(_ settings: PismoSettings, registry: MetricsRegistry, service: String,
                             figures: [EMFReporter.Figure], _ body: () async -> Void) async {
        guard settings.metricsEMF else { return await body() }
        let reporter = EMFReporter(registry: registry, namespace: settings.metricsEMFNamespace, service: service, figures: figures)
        let interval = settings.metricsEMFInterval
        let reporting = Task { await reporter.run(every: interval) }
        await body()
        reporting.cancel()
        await reporting.value
    }

    /// Prints an error the way every command does: one line on stderr with the cause.
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("pismo: \(message)\n".utf8))
        exit(code)
    }
}
