import Foundation
import Testing
import Transport
@testable import Pismo

/// A deliver outage longer than the stream's retention, played on moto: deliver reads 10 events and
/// stops; 20 more are stored while it is away; it comes back through a Streams proxy that says the
/// checkpoint is trimmed and whose TRIM_HORIZON starts after the newest record. The 20 of the gap
/// come back from the Events table through the retry queue, and 10 sent afterwards from the stream:
/// all 40 delivered (some of the first 10 again: the replay starts a margin before the gap).
@Suite("Trimmed stream against moto", .timeLimit(.minutes(3)))
struct TrimOnMotoTests {
    @Test func eventsStoredWhileDeliverWasAwayAndAfterAreAllDelivered() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let tag = UInt32.random(in: 0...UInt32.max)
        var settings = PismoSettings.unique(tag)
        // The default schedule: 30 resent events of one client overflow its lane, and the overflow is
        // parked for 5 s; a schedule shorter than that would dead-letter them as out of time. Parked
        // ones can wait out a 20 s long poll of the retry worker on moto, twice: hence 100 s below.
        settings.deliveryTimeoutMilliseconds = 2000
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        try await RouteAdmin(aws: aws, table: settings.routesTable).set(client: "client-1", url: "http://hooks.test/c1", secret: nil)
        let webhooks = FakeHTTP(byURL: ["http://hooks.test/c1": [.status(200)]])
        let events = EventGenerator(clients: 1, seed: UInt64(tag)).events(40)
        let eventsURL = try await aws.queueURL(settings.eventsQueue)
        func send(_ range: Range<Int>) async throws {
            let report = try await EventSender(aws: aws, queueURL: eventsURL).send(Array(events[range]))
            #expect(report.sent == range.count && report.failed.isEmpty)
        }
        func deliveredIDs() -> Set<String> { Set(webhooks.bodies().map(\.eventID)) }

        let processorMetrics = MetricsRegistry()
        let processor = try await MotoPipeline.processor(aws: aws, settings: settings, registry: processorMetrics, drainTimeout: .seconds(2))
        let stopProcessor = ShutdownSignal()
        let processing = Task { await processor.run(until: stopProcessor) }
        defer { stopProcessor.trigger() }

        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(200)
        options.worker.emptyPollInterval = .milliseconds(50)
        options.worker.checkpointInterval = .milliseconds(100)
        options.worker.drainTimeout = .seconds(1)
        let leases = DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable)

        // Deliver reads the first 10 and stops cleanly: checkpoint and resolved_through persisted.
        let first = try await Wiring(settings: settings, aws: aws, webhookHTTP: webhooks).deliverService(owner: "before-\(tag)", options: options)
        let stopFirst = ShutdownSignal()
        let firstRun = Task { await first.run(until: stopFirst) }
        try await send(0..<10)
        try await eventually("the first 10 delivered", within: .seconds(60)) { deliveredIDs() == Set(events[0..<10].map(\.eventID)) }
        try await eventually("the lease row records the checkpoint and the time resolved through", within: .seconds(10)) {
            try await leases.leases().contains { $0.checkpoint != nil && $0.resolvedThroughMillis != nil }
        }
        stopFirst.trigger()
        try await finished(firstRun, within: .seconds(30), "the first deliver stops")

        // The gap: stored while deliver is away.
        try await send(10..<30)
        try await eventually("the gap stored", within: .seconds(60)) { processorMetrics.render().contains("pismo_stored_total 30\n") }

        // Deliver comes back to a stream trimmed past its checkpoint.
        let proxy = try await TrimmingStreamsProxy.start(moto: moto)
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": proxy.endpoint,
                                             "AWS_REGION": "us-east-1"], readFile: { _ in nil })
        var context = moto.context()
        context.config = AWSConfig(environment: env)
        let registry = MetricsRegistry()
        let second = try await Wiring(settings: settings, aws: PismoAWS(context: context), webhookHTTP: webhooks, registry: registry)
            .deliverService(owner: "after-\(tag)", options: options)
        let stopSecond = ShutdownSignal()
        let secondRun = Task { await second.run(until: stopSecond) }
        do {
            try await eventually("deliver met the trim and read on at the horizon", within: .seconds(60)) { proxy.trimmed >= 1 && proxy.latest >= 1 }
            try await send(30..<40)
            try await eventually("all 40 delivered", within: .seconds(100)) { deliveredIDs() == Set(events.map(\.eventID)) }
            #expect(registry.render().contains("pismo_stream_trimmed_total 1\n"))
            #expect(try await leases.leases().allSatisfy { ($0.resolvedThroughMillis ?? 0) > 0 })
        } catch {
            let missing = events.indices.filter { !deliveredIDs().contains(events[$0].eventID) }
            Issue.record("not delivered: events \(missing); proxy refused \(proxy.trimmed) checkpoint iterators, served \(proxy.latest) horizons at LATEST")
            stopSecond.trigger()
            await proxy.stop()
            throw error
        }
        stopSecond.trigger()
        try await finished(secondRun, within: .seconds(30), "the second deliver stops")
        await proxy.stop()
        stopProcessor.trigger()
        try await finished(processing, within: .seconds(30), "the processor stops")
    }
}
