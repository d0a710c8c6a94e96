import Foundation
import Synchronization
import Testing
import Transport
@testable import Pismo

/// Two deliver instances on one stream through the real leases table on moto: one reads, the
/// other waits; when the reader dies without a word, the other takes its shard over after the lease
/// expires and resumes from the dead one's checkpoint.
@Suite("Deliver takeover against moto", .timeLimit(.minutes(3)))
struct DeliverTakeoverOnMotoTests {
    /// A lease store that goes silent when "killed", as a crashed process would.
    final class Killable: LeaseStore {
        let inner: any LeaseStore
        let dead = Atomic<Bool>(false)
        init(_ inner: any LeaseStore) { self.inner = inner }
        struct Dead: Error {}
        func check() throws { if dead.load(ordering: .relaxed) { throw Dead() } }
        func leases() async throws -> [ShardLease] { try check(); return try await inner.leases() }
        func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool {
            try check(); return try await inner.acquire(shardID: shardID, owner: owner, expiresAtMillis: expiresAtMillis, observed: observed)
        }
        func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool {
            try check(); return try await inner.renew(shardID: shardID, owner: owner, expiresAtMillis: expiresAtMillis)
        }
        func checkpoint(shardID: String, owner: String, sequenceNumber: String) async throws -> Bool {
            try check(); return try await inner.checkpoint(shardID: shardID, owner: owner, sequenceNumber: sequenceNumber)
        }
    }

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
        let deliverDLQ = try await aws.queueURL(settings.deliverDLQ)
        func instance(_ owner: String, _ leases: any LeaseStore, _ http: StubWebhookHTTP) -> DeliverService {
            var options = DeliverService.Options()
            options.leaseScanInterval = .milliseconds(200)
            options.worker.emptyPollInterval = .milliseconds(50)
            options.worker.checkpointInterval = .milliseconds(100)
            options.worker.leaseDuration = .seconds(3)
            let engine = DeliveryEngine(routes: DynamoDBRouteStore(dynamo: aws.dynamo, table: settings.routesTable),
                                        sender: WebhookSender(http: http, timeout: .seconds(2)),
                                        deadLetters: SQSDeadLetterPublisher(sqs: aws.sqs, queueURL: deliverDLQ),
                                        policy: DeliveryPolicy(maxAttempts: 3))
            return DeliverService(source: DynamoDBStreamSource(streams: aws.streams, streamARN: streamARN), leases: leases,
                                  engine: engine, owner: owner, options: options)
        }

        let httpA = StubWebhookHTTP(["http://hooks.test/a": [.status(200)]])
        let httpB = StubWebhookHTTP(["http://hooks.test/a": [.status(200)]])
        let leasesA = Killable(leaseTable)
        let a = instance("A-\(tag)", leasesA, httpA), b = instance("B-\(tag)", leaseTable, httpB)
        let stopA = ShutdownSignal(), stopB = ShutdownSignal()
        let runA = Task { await a.run(until: stopA) }
        try await put(0..<10)
        try await eventually("instance A delivered 10", within: .seconds(30)) { httpA.requests.withLock { $0.count } >= 10 }
        let runB = Task { await b.run(until: stopB) }
        try await Task.sleep(for: .milliseconds(600))
        #expect(b.runningShards.isEmpty, "the live instance keeps its shard")
        try await Task.sleep(for: .milliseconds(300))  // let A persist its checkpoint

        leasesA.dead.store(true, ordering: .relaxed)      // A "crashes": no renewals, no hand-over
        runA.cancel()
        try await put(10..<15)
        try await eventually("instance B delivered 5", within: .seconds(30)) { httpB.requests.withLock { $0.count } >= 5 }
        let bBodies = Set(httpB.requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } })
        #expect(bBodies.isSuperset(of: (10..<15).map { "{\"n\":\($0)}" }), "B delivers what arrived after A died")
        #expect(!bBodies.contains("{\"n\":0}"), "B resumes from A's checkpoint instead of the start")
        #expect(b.runningShards.count == 1)
        stopA.trigger(); stopB.trigger()
        await runA.value
        await runB.value
    }

}
