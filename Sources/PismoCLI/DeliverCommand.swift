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
            and exits 0. Serves GET /metrics and GET /healthz on PISMO_METRICS_ADDR (default 0.0.0.0:9102).
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Option(help: "Metrics and health address (env PISMO_METRICS_ADDR, default 0.0.0.0:9102).") var metricsAddr: String?
    @Option(help: "Unique id of this instance in the leases table (default host-pid-random).") var owner: String?
    @Option(help: "Lease duration in seconds: how long a dead instance's shards wait before takeover.") var leaseSeconds: Int = 30
    @Option(help: "Concurrent deliveries per client.") var perClientConcurrency: Int = 8

    func run() async throws {
        try await Runtime.onEventLoop { try await serve() }
    }

    private func serve() async throws {
        let settings = try settingsOptions.resolve()
        let (http, _) = Runtime.start(settings)
        let logger = Logger(label: "pismo.deliver")
        let registry = MetricsRegistry()
        // AWS requests counted by operation, so the load this service puts on the backend shows in /metrics.
        let aws = PismoAWS(http: AWSRequestCounter(http, registry: registry))
        let metricsServer = try await MetricsEndpoint.start(address: metricsAddr ?? settings.metricsAddress ?? "0.0.0.0:9102", registry: registry)
        let engine = DeliveryEngine(
            routes: RouteCache(store: DynamoDBRouteStore(dynamo: aws.dynamo, table: settings.routesTable)),
            sender: WebhookSender(http: http, timeout: .milliseconds(settings.deliveryTimeoutMilliseconds)),
            deadLetters: SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.deliverDLQ)),
            policy: settings.deliveryPolicy, perClientConcurrency: perClientConcurrency, metrics: DeliveryMetrics(registry: registry))
        var options = DeliverService.Options()
        options.worker.leaseDuration = .seconds(max(3, leaseSeconds))
        options.leaseScanInterval = .seconds(max(1, leaseSeconds / 6))
        let me = owner ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        let service = DeliverService(
            source: DynamoDBStreamSource(streams: aws.streams, streamARN: try await aws.streamARN(table: settings.eventsTable)),
            leases: DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable),
            engine: engine, owner: me, options: options, logger: logger)
        let shutdown = ShutdownSignal()
        SignalHandling.install(shutdown) { logger.info("signal \($0): draining") }
        logger.info("deliver started", metadata: ["owner": "\(me)", "table": "\(settings.eventsTable)"])
        await service.run(until: shutdown)
        await metricsServer.shutdown()
    }
}
