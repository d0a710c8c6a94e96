import Foundation
import Testing
@testable import Pismo

/// A stream page outrunning a client's lane (issue 17): a client that delivers works its burst
/// through in memory (nothing parked, no AWS request per event), while a hanging client on the same
/// shard still has everything beyond its lane and queue parked, and the others proceed.
/// No assertion is about time: patience is generous where nothing should be parked, and parking,
/// where expected, is waited for, not timed.
@Suite(.timeLimit(.minutes(1))) struct LaneBacklogTests {
    func engine(_ http: FakeHTTP, clients: [String], retries: MemoryRetryQueue, patience: Duration) -> DeliveryEngine {
        let routes = FixedRoutes(routes: Dictionary(uniqueKeysWithValues: clients.map { ($0, Route(url: "http://sink/\($0)")) }))
        return DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(600)), deadLetters: RecordingDLQ(),
                              retries: retries, policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 4,
                              backlogPatience: patience, sleep: { _ in })
    }

    func worker(_ stream: MemoryStream, _ engine: DeliveryEngine) async throws -> ShardWorker {
        let leases = MemoryLeases()
        _ = try await leases.acquire(shardID: "shard-0", owner: "me", expiresAtMillis: .max, observed: nil)
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(2)
        options.drainTimeout = .milliseconds(50)
        return ShardWorker(shardID: "shard-0", owner: "me", checkpoint: nil, source: stream, engine: engine, leases: leases,
                           options: options, sleep: SleepRecorder(yielding: true).sleep)
    }

    @Test func aFastClientsThousandRecordPageIsDeliveredWithNothingParked() async throws {
        let stream = MemoryStream(pageSize: 1000)
        stream.append((1...1000).map { insertRecord($0, client: "fast") })
        stream.close()
        let http = FakeHTTP(byURL: ["http://sink/fast": [.status(200)]])
        let retries = MemoryRetryQueue()
        let worker = try await worker(stream, engine(http, clients: ["fast"], retries: retries, patience: .seconds(50)))
        #expect(try await finished(Task { await worker.run(until: ShutdownSignal()) }, within: .seconds(50), "the shard is finished") == .shardEnd)
        #expect(http.requestCount(url: "http://sink/fast") == 1000)
        #expect(retries.scheduled.withLock { $0.count } == 0, "a lane that delivers is waited for, not parked")
    }

    @Test func aHangingClientOnTheSameShardIsStillParkedAndTheOthersProceed() async throws {
        let stream = MemoryStream(pageSize: 1000)
        // 100 records of a hanging client among 900 of two fast ones, then a second page of fast ones.
        stream.append((1...1000).map { insertRecord($0, client: $0 % 10 == 0 ? "hung" : "fast\($0 % 2)") })
        stream.append((1001...1500).map { insertRecord($0, client: "fast\($0 % 2)") })
        let http = FakeHTTP(byURL: ["http://sink/hung": [.hang], "http://sink/fast0": [.status(200)], "http://sink/fast1": [.status(200)]])
        let retries = MemoryRetryQueue()
        // Patience long enough that a loaded machine never stalls a fast lane past it (its records
        // would be parked, rightly); the hanging client's are parked once it has passed.
        let engine = engine(http, clients: ["hung", "fast0", "fast1"], retries: retries, patience: .seconds(3))
        let worker = try await worker(stream, engine)
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }
        let fast = { http.requestCount(url: "http://sink/fast0") + http.requestCount(url: "http://sink/fast1") }
        try await eventually("every fast record of both pages is delivered", within: .seconds(30)) { fast() == 1400 }
        // The hanging client: 4 attempts hang, 4 wait in its queue, the other 92 are parked.
        try await eventually("the hanging client's backlog is parked", within: .seconds(30)) {
            retries.scheduled.withLock { $0.count } == 92
        }
        #expect(retries.scheduled.withLock { $0.allSatisfy { $0.retry.clientID == "hung" && $0.retry.attempt == 1 } })
        #expect(http.requestCount(url: "http://sink/hung") == 4)
        #expect(await engine.lanes.waiting("hung/default") == 4)
        shutdown.trigger()
        _ = try await finished(running, within: .seconds(30), "the worker stops, cancelling the hung attempts")
    }

    /// The lane's own rule: a burst waits in the backlog while the lane delivers; a lane that has
    /// delivered nothing for `patience` parks at once what exceeds its lane and queue.
    @Test func aLaneThatDeliveredNothingForItsPatienceParksAtOnce() async throws {
        let http = FakeHTTP(byURL: ["http://sink/hung": [.hang]])
        let retries = MemoryRetryQueue()
        let engine = engine(http, clients: ["hung"], retries: retries, patience: .milliseconds(100))
        let held = Task { try await withThrowingTaskGroup(of: DeliveryResult.self) { group in
            for i in 0..<8 {
                group.addTask { try await engine.deliver(DeliveryJob(clientID: "hung", eventID: "h\(i)", eventType: "t", payload: [], eventKey: "k\(i)")) }
            }
            for try await _ in group {}
        } }
        try await eventually("four attempts hang and four wait", within: .seconds(10)) {
            let waiting = await engine.lanes.waiting("hung/default")
            return http.requestCount(url: "http://sink/hung") == 4 && waiting == 4
        }
        // Past the patience since the lane opened (it never delivered): no backlog any more.
        try await Task.sleep(for: .milliseconds(150))
        let parked = try await engine.deliver(DeliveryJob(clientID: "hung", eventID: "h8", eventType: "t", payload: [], eventKey: "k8"))
        #expect(parked == .parked(attempt: 1))
        #expect(await engine.lanes.waiting("hung/default") == 4, "parked at once, never queued")
        held.cancel()
        _ = try await finished(Task { await held.result }, "the hung deliveries end once cancelled")
    }
}
