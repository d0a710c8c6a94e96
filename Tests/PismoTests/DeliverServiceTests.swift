import Foundation
import Testing
@testable import Pismo

@Suite struct DeliverServiceTests {
    func service(_ stream: MemoryStream, _ leases: MemoryLeases, _ http: StubWebhookHTTP, owner: String,
                 leaseDuration: Duration = .seconds(30)) -> DeliverService {
        var options = DeliverService.Options()
        options.leaseScanInterval = .milliseconds(10)
        options.worker.emptyPollInterval = .milliseconds(2)
        options.worker.checkpointInterval = .milliseconds(5)
        options.worker.leaseDuration = leaseDuration
        options.worker.drainTimeout = .milliseconds(50)
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["a": Route(url: "http://sink/a")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: RecordingDLQ(),
                                    policy: DeliveryPolicy(maxAttempts: 2), sleep: { _ in })
        return DeliverService(source: stream, leases: leases, engine: engine, owner: owner, options: options)
    }

    @Test func onlyOneInstanceReadsAShardAndTheOtherTakesOverWhenItDies() async throws {
        let stream = MemoryStream()
        stream.append((1...10).map { insertRecord($0, client: "a") })
        let leases = MemoryLeases()
        let httpA = StubWebhookHTTP(["http://sink/a": [.status(200)]])
        let httpB = StubWebhookHTTP(["http://sink/a": [.status(200)]])
        let stopA = ShutdownSignal(), stopB = ShutdownSignal()
        let a = service(stream, leases, httpA, owner: "A", leaseDuration: .seconds(10))
        let runA = Task { await a.run(until: stopA) }
        while httpA.requests.withLock({ $0.count }) < 10 { try await Task.sleep(for: .milliseconds(2)) }
        let b = service(stream, leases, httpB, owner: "B", leaseDuration: .seconds(10))
        let runB = Task { await b.run(until: stopB) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(b.runningShards.isEmpty, "a live lease must not be stolen")

        // A dies without a word (its lease simply stops being renewed).
        runA.cancel()
        stopA.trigger()
        await runA.value
        leases.rows.withLock { $0["shard-0"]?.expiresAtMillis = 0 }
        stream.append((11...15).map { insertRecord($0, client: "a") })
        while httpB.requests.withLock({ $0.count }) < 5 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(b.runningShards == ["shard-0"])
        #expect(leases.rows.withLock { $0["shard-0"]?.owner } == "B")
        let bodies = httpB.requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } }
        #expect(Set(bodies).isSuperset(of: (11...15).map { "{\"n\":\($0)}" }))
        #expect(!bodies.contains("{\"n\":1}"), "B resumes after A's checkpoint, not from the start")
        stopB.trigger()
        await runB.value
    }
}
