import Foundation
import Testing
import Transport
@testable import Pismo

/// The whole pipeline on the shared moto, assembled by the same `Wiring` as `pismo processor` and
/// `pismo deliver`, with queues and tables named after a per-test tag. Webhooks go over our HTTP
/// client to real sockets.
///
/// Lifecycle: `withMotoPipeline` starts both services and always stops them (also when the test
/// body throws); the deliver drain is short so that a sink still holding requests cannot stall it.
final class MotoPipeline: Sendable {
    let aws: PismoAWS
    let settings: PismoSettings
    let tag: UInt32
    let registry: MetricsRegistry
    let leases: DynamoDBLeaseStore
    let streamARN: String
    let deliverDLQ: String
    /// What both services are built by; its attempt log is drained by `stop()`.
    let wiring: Wiring
    private let eventsQueue: String
    /// Answers the webhook client's names (a test seam: a name that resolves where a test says).
    private let resolver: any HostResolving
    private let stopSignal = ShutdownSignal()
    private let running = Locked<Task<Void, Never>?>(nil)

    private init(aws: PismoAWS, settings: PismoSettings, tag: UInt32, resolver: any HostResolving) async throws {
        self.aws = aws
        self.resolver = resolver
        self.settings = settings
        self.tag = tag
        self.registry = MetricsRegistry()
        self.wiring = Self.wiring(aws: aws, settings: settings, registry: registry, resolver: resolver)
        self.leases = DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable)
        self.streamARN = try await aws.streamARN(table: settings.eventsTable)
        self.deliverDLQ = try await aws.queueURL(settings.deliverDLQ)
        self.eventsQueue = try await aws.queueURL(settings.eventsQueue)
    }

    /// Provisions, seeds `routes` (client -> URL), then starts processor and deliver.
    static func start(routes: [String: String], resolver: any HostResolving = Resolver.shared,
                      configure: (inout PismoSettings) -> Void) async throws -> MotoPipeline {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let tag = UInt32.random(in: 0...UInt32.max)
        var settings = PismoSettings.unique(tag)
        configure(&settings)
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let admin = RouteAdmin(aws: aws, table: settings.routesTable)
        for (client, url) in routes { try await admin.set(client: client, url: url, secret: nil) }
        let pipeline = try await MotoPipeline(aws: aws, settings: settings, tag: tag, resolver: resolver)
        try await pipeline.launch()
        return pipeline
    }

    /// The wiring `pismo processor` and `pismo deliver` use, on moto, with the production webhook
    /// client (the settings' SSRF guard included; `resolver` answers its names).
    static func wiring(aws: PismoAWS, settings: PismoSettings, registry: MetricsRegistry,
                       resolver: any HostResolving = Resolver.shared) -> Wiring {
        Wiring(settings: settings, aws: aws, webhookHTTP: HTTPClient.forWebhooks(settings, resolver: resolver), registry: registry)
    }

    /// A processor as `pismo processor` builds it, with two short polls.
    static func processor(aws: PismoAWS, settings: PismoSettings, registry: MetricsRegistry,
                          drainTimeout: Duration = .seconds(20), resolver: any HostResolving = Resolver.shared) async throws -> ProcessorService {
        let wiring = wiring(aws: aws, settings: settings, registry: registry, resolver: resolver)
        return try await wiring.processor(validator: try wiring.eventValidator(), pollers: 2, waitTimeSeconds: 1,
                                          drainTimeout: drainTimeout)
    }

    private func launch() async throws {
        let processor = try await wiring.processor(validator: try wiring.eventValidator(), pollers: 2, waitTimeSeconds: 1,
                                                   drainTimeout: .seconds(2))
        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(200)
        options.worker.emptyPollInterval = .milliseconds(50)
        options.worker.checkpointInterval = .milliseconds(100)
        options.worker.drainTimeout = .seconds(1)
        let deliver = try await wiring.deliverService(owner: "e2e-\(tag)", options: options)
        let stop = stopSignal
        // As `pismo processor` / `pismo deliver` run (Runtime.onEventLoop): every task prefers the
        // shared group's first loop, so the tests exercise the services' production threading.
        let task = Task(executorPreference: EventLoopGroup.shared.loops[0]) {
            async let p: Void = processor.run(until: stop)
            async let d: Void = deliver.run(until: stop)
            _ = await (p, d)
        }
        running.withLock { $0 = task }
    }

    /// Sends events to the events queue, as `pismo send` does.
    func send(_ events: [String]) async throws {
        let report = try await EventSender(aws: aws, queueURL: eventsQueue).send(events)
        #expect(report.sent == events.count && report.failed.isEmpty, "every event accepted by the events queue")
    }

    /// Stops both services and waits for them (each drains briefly), then writes out the attempt
    /// log as `pismo deliver` does on shutdown.
    func stop() async {
        stopSignal.trigger()
        await running.withLock { $0 }?.value
        await wiring.drainAttemptLog()
    }

    func metric(_ line: String) -> Bool { registry.render().contains(line + "\n") }

    /// Receives the deliver-dlq until `count` distinct messages are in hand (each is kept invisible so
    /// it is seen once), then listens once more so that an unexpected extra letter shows up too.
    func deadLetters(_ count: Int, within limit: Duration = .seconds(60)) async throws -> [SQSMessage] {
        var seen: [String: SQSMessage] = [:]
        let deadline = ContinuousClock.now + limit
        while seen.count < count, ContinuousClock.now < deadline {
            for message in try await aws.sqs.receiveMessage(queueURL: deliverDLQ, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 600) {
                seen[message.messageID] = message
            }
        }
        for message in try await aws.sqs.receiveMessage(queueURL: deliverDLQ, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 600) {
            seen[message.messageID] = message
        }
        return Array(seen.values)
    }

    /// Every INSERT of the table's stream, in stream order, with the event id it carries.
    func streamInserts() async throws -> [(shardID: String, sequence: String, eventID: String)] {
        let source = DynamoDBStreamSource(streams: aws.streams, streamARN: streamARN)
        var found: [(String, String, String)] = []
        for shard in try await source.listShards() {
            var iterator: String? = try await source.iterator(shardID: shard.shardID, after: nil)
            while let current = iterator {
                let page = try await source.records(iterator: current)
                for record in page.records {
                    if case let .inserted(job, _) = record.kind { found.append((shard.shardID, record.sequenceNumber, job.eventID)) }
                }
                // An open shard never ends: an empty page means we have read what exists.
                iterator = page.records.isEmpty ? nil : page.next
            }
        }
        return found
    }
}

/// Runs `body` with a started pipeline and always stops it afterwards.
func withMotoPipeline<T>(routes: [String: String], resolver: any HostResolving = Resolver.shared,
                         configure: (inout PismoSettings) -> Void = { _ in },
                         _ body: (MotoPipeline) async throws -> T) async throws -> T {
    try await usingThenStopping(try await MotoPipeline.start(routes: routes, resolver: resolver, configure: configure),
                                stop: { await $0.stop() }, body)
}

/// Runs `body` with `resource`, then `stop`s it, also when `body` throws.
func usingThenStopping<R, T>(_ resource: R, stop: (R) async -> Void, _ body: (R) async throws -> T) async throws -> T {
    do {
        let result = try await body(resource)
        await stop(resource)
        return result
    } catch {
        await stop(resource)
        throw error
    }
}

extension String {
    /// The `event_id` of a generated event (the tests' events come from `EventGenerator`).
    var eventID: String {
        guard let range = range(of: #""event_id":""#) else { return "" }
        return String(self[range.upperBound...].prefix { $0 != "\"" })
    }

    var clientID: String {
        guard let range = range(of: #""client_id":""#) else { return "" }
        return String(self[range.upperBound...].prefix { $0 != "\"" })
    }
}
