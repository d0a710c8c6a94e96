import Foundation
import Testing
@testable import Pismo

@Suite(.timeLimit(.minutes(1))) struct DeliverServiceTests {
    func service(_ stream: MemoryStream, _ leases: any LeaseStore, _ http: FakeHTTP, owner: String,
                 leaseDuration: Duration = .seconds(30)) -> DeliverService {
        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(10)
        options.worker.emptyPollInterval = .milliseconds(2)
        options.worker.checkpointInterval = .milliseconds(5)
        options.worker.leaseDuration = leaseDuration
        options.worker.drainTimeout = .milliseconds(50)
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["a": Route(url: "http://sink/a")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                                    retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 2), sleep: { _ in })
        return DeliverService(source: stream, leases: leases, engine: engine, owner: owner, options: options)
    }

    @Test func onlyOneInstanceReadsAShardAndTheOtherTakesOverWhenItDies() async throws {
        let stream = MemoryStream()
        stream.append((1...10).map { insertRecord($0, client: "a") })
        let leases = MemoryLeases()
        let httpA = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let httpB = FakeHTTP(byURL: ["http://sink/a": [.status(200)]])
        let stopA = ShutdownSignal(), stopB = ShutdownSignal()
        let a = service(stream, leases, httpA, owner: "A", leaseDuration: .seconds(10))
        let runA = Task { await a.run(until: stopA) }
        try await eventually("A delivered 10", within: .seconds(10)) { httpA.requests.count >= 10 }
        try await eventually("A checkpointed all 10", within: .seconds(10)) {
            leases.rows.withLock { $0["shard-0"]?.checkpoint } == String(format: "%021d", 10)
        }
        let leasesB = WatchedLeases(leases)
        let b = service(stream, leasesB, httpB, owner: "B", leaseDuration: .seconds(10))
        let runB = Task { await b.run(until: stopB) }
        try await eventually("B looked at the leases three times", within: .seconds(10)) { leasesB.scans.withLock { $0 } >= 3 }
        #expect(b.runningShards.isEmpty, "a live lease must not be stolen")

        // A dies without a word (its lease simply stops being renewed).
        runA.cancel()
        stopA.trigger()
        _ = try await finished(runA, "A stops")
        leases.rows.withLock { $0["shard-0"]?.expiresAtMillis = 0 }
        stream.append((11...15).map { insertRecord($0, client: "a") })
        try await eventually("B delivered 5", within: .seconds(10)) { httpB.requests.count >= 5 }
        #expect(b.runningShards == ["shard-0"])
        #expect(leases.rows.withLock { $0["shard-0"]?.owner } == "B")
        let bodies = httpB.bodies()
        #expect(Set(bodies).isSuperset(of: (11...15).map { "{\"n\":\($0)}" }))
        #expect(!bodies.contains("{\"n\":1}"), "B resumes after A's checkpoint, not from the start")
        stopB.trigger()
        _ = try await finished(runB, "B stops")
    }
}
