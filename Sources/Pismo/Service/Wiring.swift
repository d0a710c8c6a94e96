import Foundation
import PismoJSON
import Transport

/// Assembles Pismo's services from `PismoSettings`: the one place that knows which adapter serves
/// which port. `pismo processor`, `pismo deliver`, `pismo redrive` and the tests on moto all build
/// through it, so what the tests exercise is what runs.
public struct Wiring: Sendable {
    public let settings: PismoSettings
    /// The AWS clients; in production their requests are counted by operation in `registry`.
    public let aws: PismoAWS
    /// Where webhooks go out.
    public let webhookHTTP: any HTTPExecuting
    public let registry: MetricsRegistry
    /// The attempt log (`PISMO_ATTEMPT_LOG`; nil when `off`), one per wiring so that deliver's and
    /// direct dispatch's engines share its buffer. Starts no task until a first attempt is kept;
    /// `drainAttemptLog()` writes out what it holds.
    public let attemptLogBuffer: BufferedAttemptLog?
    /// The budget of webhook requests in flight (`PISMO_MAX_WEBHOOKS_IN_FLIGHT`), shared by every
    /// engine of this wiring (deliver's and direct dispatch's): a quarter of it per client at most,
    /// half per receiver host, freed slots to whoever holds the fewest.
    public let webhookSlots: DeliverySlots

    public init(settings: PismoSettings, aws: PismoAWS, webhookHTTP: any HTTPExecuting,
                registry: MetricsRegistry = MetricsRegistry()) {
        self.settings = settings
        self.aws = aws
        self.webhookHTTP = webhookHTTP
        self.registry = registry
        webhookSlots = DeliverySlots(options: .init(capacity: settings.maxWebhooksInFlight))
        attemptLogBuffer = settings.attemptLog == .off ? nil : BufferedAttemptLog(
            mode: settings.attemptLog,
            writer: DynamoDBAttemptLogWriter(dynamo: aws.dynamo, table: settings.attemptsTable, retentionDays: settings.attemptLogDays),
            registry: registry)
    }

    /// What the delivery engine reports each attempt to.
    public var attemptLog: (any AttemptLog)? { attemptLogBuffer }

    /// Graceful shutdown, after the service has drained: writes the attempts still buffered (gives
    /// up on them at the first failed write). Records arriving later are dropped and counted.
    public func drainAttemptLog() async {
        await attemptLogBuffer?.close()
    }

    /// An HTTP client for AWS and one for webhooks, each with its own resolver (a tenant's name
    /// servers that never answer fill only the webhooks' lookups, never AWS's). AWS requests are
    /// counted in `registry`, and `readiness` is marked ready by the first AWS call that gets an answer.
    /// Only the webhook client has the settings' SSRF guard (moto and LocalStack answer on loopback).
    public static func production(_ settings: PismoSettings, registry: MetricsRegistry = MetricsRegistry(),
                                  readiness: Readiness? = nil) -> Wiring {
        let http = HTTPClient.forServices(resolver: Resolver.forServices(settings))
        var awsHTTP: any HTTPExecuting = AWSRequestCounter(http, registry: registry)
        if let readiness { awsHTTP = ReadinessProbe(awsHTTP, readiness: readiness) }
        let webhookHTTP = HTTPClient.forWebhooks(settings, resolver: Resolver.forServices(settings))
        return Wiring(settings: settings, aws: PismoAWS(http: awsHTTP), webhookHTTP: webhookHTTP, registry: registry)
    }

    public func eventValidator() throws(SchemaError) -> EventValidator {
        try EventValidator(settings: settings)
    }

    /// The webhook engine: cached route lookups, signed attempts, the settings' retry policy,
    /// dead letters to deliver-dlq. `cachedRoutes` false reads every route afresh (redrive).
    public func deliveryEngine(perClientConcurrency: Int = 8, cachedRoutes: Bool = true) async throws -> DeliveryEngine {
        let table = DynamoDBRouteStore(dynamo: aws.dynamo, table: settings.routesTable)
        let routes: any RouteStore & RouteHealth = cachedRoutes
            ? RouteCache(store: table, maxEntries: settings.routeCacheSize,
                         unknownLookupsPerSecond: Double(settings.unknownRouteLookupsPerSecond),
                         unknownLookupBurst: 10 * settings.unknownRouteLookupsPerSecond)
            : table
        return DeliveryEngine(
            routes: routes,
            sender: WebhookSender(http: webhookHTTP, timeout: .milliseconds(settings.deliveryTimeoutMilliseconds),
                                  slots: webhookSlots),
            deadLetters: try await deadLetters(), retries: retryQueue, health: routes, disableAfter: settings.disableAfter,
            policy: settings.deliveryPolicy,
            perClientConcurrency: perClientConcurrency, metrics: DeliveryMetrics(registry: registry), attemptLog: attemptLog)
    }

    /// `deliver-retry`, looked up on first use.
    public var retryQueue: SQSRetryQueue {
        let aws = self.aws
        return SQSRetryQueue(sqs: aws.sqs, queue: settings.retryQueue, resolve: { try await aws.queueURL($0) })
    }

    /// Resends stored events through the retry queue (`pismo replay`, and a trimmed stream's gap).
    public var storedEventResender: StoredEventResender {
        StoredEventResender(ranges: DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable), retries: retryQueue)
    }

    private func deadLetters() async throws -> SQSDeadLetterPublisher {
        SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.deliverDLQ))
    }

    /// `pismo processor`: the events queue, the Events table, events-dlq, and direct dispatch when
    /// the settings ask for it.
    public func processor(validator: EventValidator, pollers: Int = 8,
                          waitTimeSeconds: Int = ProcessorService.defaultWaitTimeSeconds,
                          drainTimeout: Duration = .seconds(20)) async throws -> ProcessorService {
        let queue = SQSEventQueue(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.eventsQueue))
        let store = DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable)
        let handler = MessageHandler(
            validator: validator, store: store,
            invalidEvents: SQSInvalidEventPublisher(sqs: aws.sqs, queueURL: try await aws.queueURL(settings.eventsDLQ)),
            queue: queue, directDispatch: settings.directDispatch, failures: ProcessorFailureMetrics(registry: registry))
        let dispatcher: (any DirectDispatcher)? = settings.directDispatch
            ? StoreMarkingDispatcher(engine: try await deliveryEngine(), store: store) : nil
        return ProcessorService(queue: queue, handler: handler, pollers: pollers, waitTimeSeconds: waitTimeSeconds,
                                drainTimeout: drainTimeout, metrics: ProcessorMetrics(registry: registry), dispatcher: dispatcher)
    }

    /// Stored events read back by key (retries, redrive of references, replay).
    public var storedEvents: any StoredEvents { DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable) }

    /// `pismo deliver`: the Events table's stream, shard leases, the webhook engine, and the retry
    /// worker on the retry queue. `leases` replaces the leases table's adapter (tests watch or break it).
    public func deliverService(owner: String, options: DeliverService.Options = DeliverService.Options(),
                               perClientConcurrency: Int = 8, leases: (any LeaseStore)? = nil) async throws -> DeliverService {
        let engine = try await deliveryEngine(perClientConcurrency: perClientConcurrency)
        let streamMetrics = StreamMetrics(registry: registry)
        var retryOptions = RetryWorker.Options()
        // An attempt may wait for its lane, then run to the timeout: twice that, and slack for AWS.
        retryOptions.attemptVisibilitySeconds = max(30, 2 * settings.deliveryTimeoutMilliseconds / 1000 + 30)
        let queue = retryQueue
        _ = try await aws.queueURL(settings.retryQueue)  // fail at start, naming the queue, if `pismo init` has not made it
        let worker = RetryWorker(queue: queue, events: storedEvents,
                                 engine: engine, deadLetters: try await deadLetters(), options: retryOptions)
        return DeliverService(
            source: DynamoDBStreamSource(streams: aws.streams, streamARN: try await aws.streamARN(table: settings.eventsTable)),
            leases: leases ?? DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable),
            engine: engine, retries: worker, owner: owner, options: options,
            trimRecovery: TrimRecovery(resender: storedEventResender, metrics: streamMetrics), metrics: streamMetrics)
    }
}

extension HTTPClient {
    /// The client the services use. Tenant isolation holds on a shared webhook host only while
    /// hanging clients × their per-client concurrency (8) stay under the per-host connection cap:
    /// 256 keeps 31 hung clients behind one host from starving the rest (the client default, 64, kept 7).
    public static func forServices(destinationPolicy: DestinationPolicy? = nil, resolver: any HostResolving = Resolver.shared) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 256
        configuration.destinationPolicy = destinationPolicy
        return HTTPClient(configuration: configuration, resolver: resolver)
    }

    /// The webhook client: `forServices` with the settings' destination policy (the SSRF guard).
    /// `resolver` is for tests that need a name to resolve to an address of their choosing.
    public static func forWebhooks(_ settings: PismoSettings, resolver: any HostResolving = Resolver.shared) -> HTTPClient {
        forServices(destinationPolicy: settings.webhookDestinationPolicy, resolver: resolver)
    }
}

extension Resolver {
    /// A resolver of the machine's resolv.conf and hosts with `PISMO_DNS_TIMEOUT_MS`.
    public static func forServices(_ settings: PismoSettings) -> Resolver {
        var configuration = Resolver.Configuration.system()
        configuration.timeout = .milliseconds(settings.dnsTimeoutMilliseconds)
        return Resolver(configuration: configuration)
    }
}
