import Foundation
import Testing
import Transport
@testable import Pismo

/// Two deliver instances on one stream through the real leases table on moto: one reads, the
/// other waits; when the reader dies without a word, the other takes its shard over after the lease
/// expires and resumes from the dead one's checkpoint.
@Suite("Deliver takeover against moto", .timeLimit(.minutes(3)))
struct DeliverTakeoverOnMotoTests {
    @Test func aDeadInstancesShardIsTakenOverFromItsCheckpoint() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let tag = UInt32.random(in: 0...UInt32.max)
        let settings = PismoSettings.unique(tag)
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        try await RouteAdmin(aws: aws, table: settings.routesTable).set(client: "client-1", url: "http://hooks.test/a", secret: nil)
        let store = DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable)
        func put(_ range: Range<Int>) async throws {
            for i in range {
                _ = try await store.putIfAbsent(EventItem(clientID: "client-1", eventKey: "2026-01-01T00:00:00Z#e\(i)", eventID: "e\(i)",
                                                          eventType: "t", eventTime: "2026-01-01T00:00:00Z",
                                                          payload: Array("{\"n\":\(i)}".utf8), receivedAt: "now"))
            }
        }
        let streamARN = try await aws.streamARN(table: settings.eventsTable)
        let leaseTable = DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable)
        var deliverSettings = settings
        deliverSettings.retrySchedule = .exponential(maxAttempts: 3, base: .milliseconds(500), max: .seconds(60))
        deliverSettings.deliveryTimeoutMilliseconds = 2000
        func instance(_ owner: String, _ leases: any LeaseStore, _ http: FakeHTTP) async throws -> DeliverService {
            var options = DeliverService.Options()
            options.leaseScanInterval = .milliseconds(200)
            options.worker.emptyPollInterval = .milliseconds(50)
            options.worker.checkpointInterval = .milliseconds(100)
            options.worker.leaseDuration = .seconds(3)
            return try await Wiring(settings: deliverSettings, aws: aws, webhookHTTP: http)
                .deliverService(owner: owner, options: options, leases: leases)
        }

        let httpA = FakeHTTP(byURL: ["http://hooks.test/a": [.status(200)]])
        let httpB = FakeHTTP(byURL: ["http://hooks.test/a": [.status(200)]])
        let leasesA = WatchedLeases(leaseTable), leasesB = WatchedLeases(leaseTable)
        let a = try await instance("A-\(tag)", leasesA, httpA), b = try await instance("B-\(tag)", leasesB, httpB)
        let stopA = ShutdownSignal(), stopB = ShutdownSignal()
        let runA = Task { await a.run(until: stopA) }
        try await put(0..<10)
        try await eventually("instance A delivered 10", within: .seconds(30)) { httpA.requests.count >= 10 }
        let runB = Task { await b.run(until: stopB) }
        try await eventually("B looked at the leases three times", within: .seconds(30)) { leasesB.scans.withLock { $0 } >= 3 }
        #expect(b.runningShards.isEmpty, "the live instance keeps its shard")
        let source = DynamoDBStreamSource(streams: aws.streams, streamARN: streamARN)
        let lastOfA = try #require(try await streamRecords(source).last)
        try await eventually("A checkpointed its 10 records", within: .seconds(30)) {
            try await persistedCheckpoint(leaseTable, lastOfA.shardID) == lastOfA.record.sequenceNumber
        }

        leasesA.dead.withLock { $0 = true }      // A "crashes": no renewals, no hand-over
        runA.cancel()
        try await put(10..<15)
        try await eventually("instance B delivered 5", within: .seconds(30)) { httpB.requests.count >= 5 }
        let bBodies = Set(httpB.bodies())
        #expect(bBodies.isSuperset(of: (10..<15).map { "{\"n\":\($0)}" }), "B delivers what arrived after A died")
        #expect(!bBodies.contains("{\"n\":0}"), "B resumes from A's checkpoint instead of the start")
        #expect(b.runningShards.count == 1)
        stopA.trigger(); stopB.trigger()
        try await finished(runA, within: .seconds(30), "A stops")
        try await finished(runB, within: .seconds(30), "B stops")
    }

}
