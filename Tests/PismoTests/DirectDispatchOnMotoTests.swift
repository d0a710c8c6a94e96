import Foundation
import Testing
import Transport
@testable import Pismo

/// DIRECT_DISPATCH through the production adapters on moto: what the processor delivers is not
/// delivered again by the stream path; what its single attempt fails to deliver, the stream path does.
@Suite("Direct dispatch against moto", .timeLimit(.minutes(3)))
struct DirectDispatchOnMotoTests {
    @Test func deliveredOnceDirectlyAndFailuresFallBackToTheStream() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let tag = UInt32.random(in: 0...UInt32.max)
        var settings = PismoSettings.unique(tag)
        settings.directDispatch = true
        settings.deliveryTimeoutMilliseconds = 2000
        settings.retrySchedule = .exponential(maxAttempts: 8, base: .milliseconds(20), max: .milliseconds(200))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let routes = RouteAdmin(aws: aws, table: settings.routesTable)
        try await routes.set(client: "client-1", url: "http://hooks.test/ok", secret: nil)
        try await routes.set(client: "client-2", url: "http://hooks.test/flaky", secret: nil)

        let events = EventGenerator(clients: 2).events(20)   // 10 per client
        // Two views of the same endpoints, one per path, so the outcome does not hang on which path
        // reaches /flaky first: direct attempts for client-2 always get a 500, the stream path a 200.
        let directWebhooks = FakeHTTP(byURL: ["http://hooks.test/ok": [.status(200)], "http://hooks.test/flaky": [.status(500)]])
        let streamWebhooks = FakeHTTP(byURL: ["http://hooks.test/ok": [.status(200)], "http://hooks.test/flaky": [.status(200)]])
        // As `pismo processor` and `pismo deliver` assemble them, each with its own view of the endpoints.
        let directWiring = Wiring(settings: settings, aws: aws, webhookHTTP: directWebhooks)
        let streamWiring = Wiring(settings: settings, aws: aws, webhookHTTP: streamWebhooks)

        let eventsURL = try await aws.queueURL(settings.eventsQueue)
        _ = try await EventSender(aws: aws, queueURL: eventsURL).send(events)
        let processor = try await directWiring.processor(validator: try directWiring.eventValidator(), pollers: 2, waitTimeSeconds: 1)
        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(200)
        options.worker.emptyPollInterval = .milliseconds(50)
        let streamARN = try await aws.streamARN(table: settings.eventsTable)
        let leases = DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable)
        let deliver = try await streamWiring.deliverService(owner: "direct-\(tag)", options: options, leases: leases)
        let stop = ShutdownSignal()
        let running = Task {
            async let p: Void = processor.run(until: stop)
            async let d: Void = deliver.run(until: stop)
            _ = await (p, d)
        }

        let flakyEvents = events.filter { $0.contains(#""client_id":"client-2""#) }
        try await eventually("client-2's events streamed, client-1's delivered directly") {
            Set(streamWebhooks.bodies(url: "http://hooks.test/flaky")).count == flakyEvents.count
                && directWebhooks.bodies(url: "http://hooks.test/ok").count >= 10
        }
        // A wrong second delivery would come from the stream path reading a record it should skip.
        // Once every outcome is recorded and the checkpoint covers the whole stream, every record has
        // been read and resolved: any such delivery has happened by then.
        let source = DynamoDBStreamSource(streams: aws.streams, streamARN: streamARN)
        try await eventually("every outcome recorded and the whole stream checkpointed") {
            let items = try await aws.dynamo.scanAll(DynamoDBQuery(table: settings.eventsTable))
            guard items.count == events.count,
                  items.allSatisfy({ ["delivered", "stream"].contains($0["dispatch"]?.string ?? "") }) else { return false }
            guard let last = try await streamRecords(source).last else { return false }
            return try await persistedCheckpoint(leases, last.shardID) == last.record.sequenceNumber
        }
        stop.trigger()
        try await finished(running, within: .seconds(30), "processor and deliver stop")

        #expect(directWebhooks.bodies(url: "http://hooks.test/ok").sorted() == events.filter { $0.contains(#""client_id":"client-1""#) }.sorted(),
                "delivered directly exactly once each")
        #expect(streamWebhooks.bodies(url: "http://hooks.test/ok").isEmpty, "the stream path skipped what was delivered directly")
        let failedDirectly = directWebhooks.bodies(url: "http://hooks.test/flaky")
        #expect(!failedDirectly.isEmpty && Set(failedDirectly).isSubset(of: Set(flakyEvents)), "direct attempts for client-2 were made and failed")
        #expect(streamWebhooks.bodies(url: "http://hooks.test/flaky").sorted() == flakyEvents.sorted(),
                "whatever failed directly is delivered by the stream path, exactly once")
        #expect(try await QueueTools(aws: aws).peek(queueURL: try await aws.queueURL(settings.deliverDLQ)).messages.isEmpty)
        let items = try await aws.dynamo.scanAll(DynamoDBQuery(table: settings.eventsTable))
        #expect(items.filter { $0["client_id"]?.string == "client-1" }.allSatisfy { $0["dispatch"]?.string == "delivered" })
        #expect(items.filter { $0["client_id"]?.string == "client-2" }.allSatisfy { $0["dispatch"]?.string == "stream" })
    }
}
