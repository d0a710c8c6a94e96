import ArgumentParser
import Foundation
import Logging
import Pismo

struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Read the Events table's stream and deliver each event to its client's webhook.",
        discussion: """
            Leases shards in the leases table (several instances split the shards; a dead instance's
            shards are taken over when its lease expires), checkpoints only over resolved records,
            retries with backoff, dead-letters to deliver-dlq. Runs until SIGTERM/SIGINT, then drains
            and exits 0 (a second signal exits at once). Serves GET /metrics, GET /healthz (liveness)
            and GET /readyz (503 until the first successful AWS call and while draining) on
            PISMO_METRICS_ADDR (default 0.0.0.0:9102).
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Option(help: "Metrics and health address (env PISMO_METRICS_ADDR, default 0.0.0.0:9102).") var metricsAddr: String?
    @Option(help: "Unique id of this instance in the leases table (default host-pid-random).") var owner: String?
    @Option(help: "Lease duration in seconds: how long a dead instance's shards wait before takeover.") var leaseSeconds: Int = 30
    @Option(help: "Concurrent deliveries per client.") var perClientConcurrency: Int = 8

    func validate() throws {
        guard (3...3600).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be from 3 to 3600") }
        guard perClientConcurrency >= 1 else { throw ValidationError("--per-client-concurrency must be at least 1") }
    }

    func run() async throws {
        try await CommandRuntime.onEventLoop { try await serve() }
    }

    private func serve() async throws {
        let settings = try settingsOptions.resolve()
        let readiness = Readiness()
        let wiring = CommandRuntime.start(settings, readiness: readiness)
        let logger = Logger(label: "pismo.deliver")
        let endpoint = try await MetricsEndpoint.start(address: metricsAddr ?? settings.metricsAddress ?? "0.0.0.0:9102",
                                                       registry: wiring.registry, readiness: readiness)
        var options = DeliverService.Options()
        options.worker.leaseDuration = .seconds(leaseSeconds)
        options.leaseScanInterval = .seconds(max(1, leaseSeconds / 6))
        let me = owner ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        let service = try await wiring.deliverService(owner: me, options: options, perClientConcurrency: perClientConcurrency)
        let table = settings.eventsTable
        try await ServiceHost.run(logger: logger, readiness: readiness, endpoint: endpoint) { shutdown in
            // Logged once SIGTERM is handled: "started" means a signal now drains instead of killing.
            logger.info("deliver started", metadata: ["owner": "\(me)", "table": "\(table)", "metrics_port": "\(endpoint.port)"])
            await CommandRuntime.reportingEMF(settings, registry: wiring.registry, service: "deliver",
                                              figures: EMFReporter.deliverFigures) {
                await service.run(until: shutdown)
            }
            await wiring.drainAttemptLog()  // after the last attempt: what is buffered is written before exit
        }
    }
}
