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
            exits 0. Serves GET /metrics (Prometheus) and GET /healthz on PISMO_METRICS_ADDR
            (default 0.0.0.0:9101). With DIRECT_DISPATCH=true it also delivers each stored event at
            once; the stream path (pismo deliver) takes over whatever that attempt did not deliver.
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Option(help: "Concurrent long polls (each up to 10 messages in flight).") var pollers: Int = 8
    @Option(help: "Metrics and health address (env PISMO_METRICS_ADDR, default 0.0.0.0:9101).") var metricsAddr: String?
    @Option(help: "Schema directory (event_schema.json, events/, meta/).") var schemaDir: String = "schema"
    @Flag(help: "Deliver right after storing (env DIRECT_DISPATCH).") var directDispatch = false

    func run() async throws {
        try await Runtime.onEventLoop { try await serve() }
    }

    private func serve() async throws {
        var settings = try settingsOptions.resolve()
        if directDispatch { settings.directDispatch = true }
        let validator: EventValidator
        do {
            validator = try EventValidator(schemaDirectory: schemaDir, envelopePath: settings.schemaPath,
                                           strictEventTypes: settings.strictEventTypes)
        } catch {
            Runtime.fail("cannot load schemas: \(error)", code: 2)
        }
        let (http, _) = Runtime.start(settings)
        let logger = Logger(label: "pismo.processor")
        let registry = MetricsRegistry()
        // AWS requests counted by operation, so the load this service puts on the backend shows in /metrics.
        let aws = PismoAWS(http: AWSRequestCounter(http, registry: registry))
        let metricsServer = try await MetricsEndpoint.start(address: metricsAddr ?? settings.metricsAddress ?? "0.0.0.0:9101", registry: registry)
        let queueURL = try await aws.queueURL(settings.eventsQueue)
        let queue = SQSEventQueue(sqs: aws.sqs, queueURL: queueURL)
        let store = DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable)
        let handler = MessageHandler(
            validator: validator, store: store,
            invalidEvents: SQSInvalidEventPublisher(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.eventsDLQ)),
            queue: queue, directDispatch: settings.directDispatch)
        var dispatcher: (any DirectDispatcher)?
        if settings.directDispatch {
            let engine = DeliveryEngine(
                routes: RouteCache(store: DynamoDBRouteStore(dynamo: aws.dynamo, table: settings.routesTable)),
                sender: WebhookSender(http: http, timeout: .milliseconds(settings.deliveryTimeoutMilliseconds)),
                deadLetters: SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.deliverDLQ)),
                policy: settings.deliveryPolicy, metrics: DeliveryMetrics(registry: registry))
            dispatcher = StoreMarkingDispatcher(engine: engine, store: store)
        }
        let service = ProcessorService(queue: queue, handler: handler, pollers: pollers,
                                       metrics: ProcessorMetrics(registry: registry), dispatcher: dispatcher, logger: logger)
        let shutdown = ShutdownSignal()
        SignalHandling.install(shutdown) { logger.info("signal \($0): draining") }
        logger.info("processor started", metadata: ["queue": "\(queueURL)", "pollers": "\(pollers)",
                                                    "direct_dispatch": "\(settings.directDispatch)"])
        await service.run(until: shutdown)
        await metricsServer.shutdown()
    }
}
