import ArgumentParser
import Foundation
import Logging
import Pismo

struct ProcessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processor",
        abstract: "Consume the events queue: validate, store in DynamoDB, dead-letter the invalid.",
        discussion: """
            Runs until SIGTERM/SIGINT, then stops polling, finishes or releases in-flight messages and
            exits 0 (a second signal exits at once). Serves GET /metrics (Prometheus), GET /healthz
            (liveness) and GET /readyz (503 until the first successful AWS call and while draining) on
            PISMO_METRICS_ADDR (default 0.0.0.0:9101). With DIRECT_DISPATCH=true it also delivers each stored event at
            once; the stream path (pismo deliver) takes over whatever that attempt did not deliver.
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Option(help: "Concurrent long polls (each up to 10 messages in flight).") var pollers: Int = 8
    @Option(help: "Metrics and health address (env PISMO_METRICS_ADDR, default 0.0.0.0:9101).") var metricsAddr: String?
    @Option(help: "Schema directory: event_schema.json and events/<event_type>.json (env PISMO_SCHEMA_DIR, default the directory of PISMO_SCHEMA, else ./schema).")
    var schemaDir: String?
    @Flag(help: "Deliver right after storing (env DIRECT_DISPATCH).") var directDispatch = false

    func validate() throws {
        guard pollers >= 1 else { throw ValidationError("--pollers must be at least 1") }
    }

    func run() async throws {
        try await CommandRuntime.onEventLoop { try await serve() }
    }

    private func serve() async throws {
        var settings = try settingsOptions.resolve()
        if directDispatch { settings.directDispatch = true }
        if let schemaDir { settings.setSchemaLocation(directory: schemaDir, envelope: settings.schemaEnvelopeOverride) }
        let readiness = Readiness()
        let wiring = CommandRuntime.start(settings, readiness: readiness)
        let validator: EventValidator
        do {
            validator = try wiring.eventValidator()
        } catch {
            CommandRuntime.fail("cannot load schemas: \(error)", code: 2)
        }
        let logger = Logger(label: "pismo.processor")
        let endpoint = try await MetricsEndpoint.start(address: metricsAddr ?? settings.metricsAddress ?? "0.0.0.0:9101",
                                                       registry: wiring.registry, readiness: readiness)
        let service = try await wiring.processor(validator: validator, pollers: pollers)
        let started: Logger.Metadata = ["queue": "\(settings.eventsQueue)", "pollers": "\(pollers)",
                                        "direct_dispatch": "\(settings.directDispatch)",
                                        "metrics_port": "\(endpoint.port)"]
        let resolved = settings
        try await ServiceHost.run(logger: logger, readiness: readiness, endpoint: endpoint) { shutdown in
            // Logged once SIGTERM is handled: "started" means a signal now drains instead of killing.
            logger.info("processor started", metadata: started)
            await CommandRuntime.reportingEMF(resolved, registry: wiring.registry, service: "processor",
                                              figures: EMFReporter.processorFigures) {
                await service.run(until: shutdown)
            }
            await wiring.drainAttemptLog()  // after the last attempt: what is buffered is written before exit
        }
    }
}
