import Foundation
import Testing
import Transport
@testable import Pismo

/// The whole pipeline through the production adapters against moto (signature checking on):
/// provisioning, processor (SQS -> schema -> DynamoDB, invalid -> events-dlq), the table's stream,
/// leases and checkpoints, delivery and deliver-dlq. Webhooks go to an in-memory endpoint here;
/// the sink-over-sockets variant lives with the transport tests.
@Suite("Pipeline adapters against moto", .timeLimit(.minutes(3)))
struct PipelineOnMotoTests {
    @Test func eventsFlowFromQueueToWebhooksAndDeadLetters() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let tag = UInt32.random(in: 0...UInt32.max)
        let settings = PismoSettings.unique(tag)

        // Provisioning is idempotent: a second run finds everything in place.
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let routes = RouteAdmin(aws: aws, table: settings.routesTable)
        try await routes.set(client: "client-1", url: "http://hooks.test/c1", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        try await routes.set(client: "client-2", url: "http://hooks.test/c2", secret: nil)
        #expect(try await routes.list().map(\.client) == ["client-1", "client-2"])

        let valid = EventGenerator(clients: 3).events(30)
        let invalid = [#"{"client_id":"client-1","event_type":"x","event_time":"2026-01-01T00:00:00Z","data":"a string"}"#, "not json"]
        let eventsURL = try await aws.queueURL(settings.eventsQueue)
        let report = try await EventSender(aws: aws, queueURL: eventsURL).send(valid + invalid)
        #expect(report.sent == 32 && report.failed.isEmpty)

        // Processor.
        let registry = MetricsRegistry()
        let processor = try await MotoPipeline.processor(aws: aws, settings: settings, registry: registry)
        let stopProcessor = ShutdownSignal()
        let processing = Task { await processor.run(until: stopProcessor) }
        try await eventually("processor stored 30 and rejected 2") { registry.render().contains("pismo_stored_total 30\n") && registry.render().contains("pismo_invalid_total 2\n") }
        stopProcessor.trigger()
        try await finished(processing, within: .seconds(30), "the processor stops")

        let dlq = try await QueueTools(aws: aws).peek(queueURL: try await aws.queueURL(settings.eventsDLQ))
        #expect(Set(dlq.messages.map(\.body)) == Set(invalid), "invalid events are dead-lettered byte-identical")
        #expect(dlq.messages.allSatisfy { $0.messageAttributes["pismo-error"]?.stringValue?.isEmpty == false })
        #expect(dlq.messages.contains { $0.messageAttributes["pismo-error"]?.stringValue?.hasPrefix("schema: /data") == true })
        #expect(dlq.messages.contains { $0.messageAttributes["pismo-error"]?.stringValue?.hasPrefix("json: ") == true })

        // Deliver.
        let webhooks = FakeHTTP(byURL: ["http://hooks.test/c1": [.status(200)], "http://hooks.test/c2": [.status(200)]])
        let deliverDLQ = try await aws.queueURL(settings.deliverDLQ)
        var deliverSettings = settings
        deliverSettings.retrySchedule = .exponential(maxAttempts: 2, base: .milliseconds(500), max: .seconds(60))
        deliverSettings.deliveryTimeoutMilliseconds = 2000
        let leases = DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable)
        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(200)
        options.worker.emptyPollInterval = .milliseconds(50)
        options.worker.checkpointInterval = .milliseconds(100)
        let deliver = try await Wiring(settings: deliverSettings, aws: aws, webhookHTTP: webhooks)
            .deliverService(owner: "test-\(tag)", options: options)
        let stopDeliver = ShutdownSignal()
        let delivering = Task { await deliver.run(until: stopDeliver) }
        try await eventually("20 webhook requests") { webhooks.requests.count >= 20 }
        try await eventually("10 dead letters") { try await QueueTools(aws: aws).peek(queueURL: deliverDLQ).messages.count >= 10 }
        try await eventually("the checkpoint is persisted") { try await leases.leases().first?.checkpoint != nil }
        stopDeliver.trigger()
        try await finished(delivering, within: .seconds(30), "deliver stops")

        let sent = webhooks.requests
        let expected = valid.filter { !$0.contains(#""client_id":"client-3""#) }
        #expect(sent.map { String(decoding: $0.body, as: UTF8.self) }.sorted() == expected.sorted(), "every routed event delivered once, byte-identical")
        let signed = try #require(sent.first { $0.url == "http://hooks.test/c1" })
        let signature = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").signature(
            id: signed.headers["webhook-id"] ?? "", timestamp: Int(signed.headers["webhook-timestamp"] ?? "") ?? 0, body: signed.body)
        #expect(signed.headers["webhook-signature"] == signature)
        #expect(sent.filter { $0.url == "http://hooks.test/c2" }.allSatisfy { $0.headers["webhook-signature"] == nil })

        let letters = try await QueueTools(aws: aws).peek(queueURL: deliverDLQ).messages
        #expect(letters.count == 10)
        for letter in letters {
            #expect(letter.messageAttributes["pismo-client-id"]?.stringValue == "client-3")
            #expect(letter.messageAttributes["pismo-attempts"]?.stringValue == "0")
            #expect(letter.messageAttributes["pismo-error"]?.stringValue == "no-route: no route for client client-3")
            #expect(letter.messageAttributes["pismo-last-status"] == nil)
            #expect(letter.messageAttributes["pismo-event-id"]?.stringValue?.hasPrefix("evt-") == true)
        }
        let lease = try #require(try await leases.leases().first)
        #expect(lease.owner == "test-\(tag)")
        #expect(lease.checkpoint != nil, "the checkpoint was persisted")
    }
}
