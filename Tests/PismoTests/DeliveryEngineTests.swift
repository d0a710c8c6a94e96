import Foundation
import Testing
import Transport
@testable import Pismo

@Suite(.timeLimit(.minutes(1))) struct DeliveryEngineTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let job = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "order.created",
                          payload: Array(#"{"client_id":"acme","data":{"n":1}}"#.utf8), eventKey: "2026-01-01T00:00:00Z#evt-1")

    func engine(_ http: FakeHTTP, routes: any RouteStore, dlq: RecordingDLQ = RecordingDLQ(),
                retries: MemoryRetryQueue = MemoryRetryQueue(), maxAttempts: Int = 3, perClient: Int = 8,
                registry: MetricsRegistry = MetricsRegistry(), timeout: Duration = .seconds(1),
                breaker: CircuitBreaker.Options = CircuitBreaker.Options(), patience: Duration = .seconds(2)) -> DeliveryEngine {
        DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: timeout, now: { 1_700_000_000 }),
                       deadLetters: dlq, retries: retries, policy: DeliveryPolicy(maxAttempts: maxAttempts),
                       perClientConcurrency: perClient, backlogPatience: patience, breaker: breaker, metrics: DeliveryMetrics(registry: registry),
                       sleep: { _ in }, now: { Date(timeIntervalSince1970: 1_700_000_000) })
    }

    @Test func deliversWithStandardWebhookHeadersAndTheExactBody() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let routes = FixedRoutes(routes: ["acme": Route(url: "http://sink/acme", secret: Self.secret)])
        let result = try await engine(http, routes: routes).deliver(job)
        #expect(result == .delivered(attempts: 1))
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.body == job.payload)
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["webhook-id"] == "evt-1")
        #expect(request.headers["webhook-timestamp"] == "1700000000")
        #expect(request.headers["user-agent"] == "pismo/\(PismoVersion.current)")
        let expected = try WebhookSigner(secret: Self.secret).signature(id: "evt-1", timestamp: 1_700_000_000, body: job.payload)
        #expect(request.headers["webhook-signature"] == expected)
    }

    @Test func unsignedWhenTheRouteHasNoSecret() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(204)]])
        _ = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")])).deliver(job)
        #expect(http.requests[0].headers["webhook-signature"] == nil)
    }

    @Test func aFailedAttemptSchedulesTheNextInTheRetryQueueAndResolves() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(503)]])
        let retries = MemoryRetryQueue()
        let result = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), retries: retries)
            .deliver(job)
        #expect(result == .retryScheduled(attempt: 2))
        let (retry, delay) = try #require(retries.scheduled.withLock { $0.first })
        // A reference to the stored event, never a copy of it.
        #expect(retry == PendingRetry(clientID: "acme", eventKey: job.eventKey, eventID: "evt-1", attempt: 2,
                                      firstAttemptAtMillis: 1_700_000_000_000, dueAtMillis: retry.dueAtMillis, lastStatus: 503))
        #expect(!retry.json.contains("data"))
        // Attempt 2 waits 500 ms ± 20 % on the legacy exponential schedule.
        #expect(delay >= .milliseconds(400) && delay <= .milliseconds(600))
        #expect(retry.dueAtMillis == 1_700_000_000_000 + Int64(delay.seconds * 1000))
        #expect(http.requestCount(url: "http://sink/acme") == 1, "one attempt; the next waits in the queue, not in memory")
    }

    @Test func retriesServerErrorsThroughTheQueueThenDelivers() async throws {
        let registry = MetricsRegistry()
        let retries = MemoryRetryQueue()
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(500), .reset, .status(200)]])
        let results = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]),
                                       retries: retries, registry: registry).deliverThroughRetries(job, queue: retries)
        #expect(results == [.retryScheduled(attempt: 2), .retryScheduled(attempt: 3), .delivered(attempts: 3)])
        #expect(retries.scheduled.withLock { $0.map(\.retry.firstAttemptAtMillis) } == [1_700_000_000_000, 1_700_000_000_000])
        #expect(registry.render().contains("pismo_delivery_retries_total 2"))
        #expect(registry.render().contains(#"pismo_webhook_attempts_total{attempt="3"} 1"#))
    }

    @Test func aRetryQueueOutageIsRetriedNotLost() async throws {
        let retries = MemoryRetryQueue(failures: 3)
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(500)]])
        let result = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), retries: retries)
            .deliver(job)
        #expect(result == .retryScheduled(attempt: 2))
        #expect(retries.scheduled.withLock { $0.count } == 1)
    }

    @Test func permanentClientErrorIsDeadLetteredAfterOneAttempt() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(404)]])
        let dlq = RecordingDLQ()
        let result = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), dlq: dlq).deliver(job)
        let letter = DeadLetter(reason: DeadLetterReason(.http4xx, "permanent HTTP 404"), clientID: "acme", eventID: "evt-1", attempts: 1, lastStatus: 404,
                                eventKey: job.eventKey, endpointID: Endpoint.defaultID)
        #expect(result == .deadLettered(letter))
        #expect(dlq.all == [letter])
        #expect(dlq.letters.withLock { $0[0].payload } == job.payload)
    }

    @Test func missingRouteIsDeadLetteredWithZeroAttemptsAndNoStatus() async throws {
        let dlq = RecordingDLQ()
        let result = try await engine(FakeHTTP(), routes: FixedRoutes(routes: [:]), dlq: dlq).deliver(job)
        #expect(result == .deadLettered(DeadLetter(reason: DeadLetterReason(.noRoute, "no route for client acme"), clientID: "acme", eventID: "evt-1",
                                                   attempts: 0, lastStatus: nil, eventKey: job.eventKey)))
        #expect(dlq.all.count == 1)
    }

    @Test func exhaustedTransportErrorsCarryNoStatus() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.refuse]])
        let dlq = RecordingDLQ()
        let retries = MemoryRetryQueue()
        _ = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), dlq: dlq, retries: retries)
            .deliverThroughRetries(job, queue: retries)
        #expect(dlq.all == [DeadLetter(reason: DeadLetterReason(.attemptsExhausted, "3 attempts, last: connection refused by sink:80"), clientID: "acme",
                                       eventID: "evt-1", attempts: 3, lastStatus: nil, eventKey: job.eventKey,
                                       endpointID: Endpoint.defaultID)])
        #expect(http.requestCount(url: "http://sink/acme") == 3)
    }

    @Test func lastStatusIsTheLastStatusActuallyReceived() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(503), .timeOut]])
        let dlq = RecordingDLQ()
        let retries = MemoryRetryQueue()
        _ = try await engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), dlq: dlq, retries: retries)
            .deliverThroughRetries(job, queue: retries)
        #expect(dlq.all.first?.lastStatus == 503)
        #expect(dlq.all.first?.attempts == 3)
    }

    @Test func infrastructureOutagesAreRetriedNotLost() async throws {
        let dlq = RecordingDLQ(failures: 2)
        let routes = FlakyRoutes([:], failures: 3)
        let result = try await engine(FakeHTTP(), routes: routes, dlq: dlq).deliver(job)
        guard case .deadLettered = result else { Issue.record("expected dead letter"); return }
        #expect(dlq.all.count == 1)
    }

    @Test func aHangingClientDoesNotBlockOthers() async throws {
        let http = FakeHTTP(byURL: ["http://sink/slow": [.hang], "http://sink/fast": [.status(200)]])
        let routes = FixedRoutes(routes: ["slow": Route(url: "http://sink/slow"), "fast": Route(url: "http://sink/fast")])
        // A timeout far beyond the test: the hanging requests stay open until cancelled.
        let engine = engine(http, routes: routes, perClient: 2, timeout: .seconds(600))
        let slowJobs = (0..<4).map { DeliveryJob(clientID: "slow", eventID: "s\($0)", eventType: "t", payload: [], eventKey: "k\($0)") }
        let hung = Task { try await withThrowingTaskGroup(of: DeliveryResult.self) { group in
            for job in slowJobs { group.addTask { try await engine.deliver(job) } }
            for try await _ in group {}
        } }
        // Wait until the slow client's two lanes are occupied.
        try await eventually("both lanes of the slow client are taken", within: .seconds(10)) { http.requestCount(url: "http://sink/slow") >= 2 }
        for i in 0..<50 {
            let result = try await engine.deliver(DeliveryJob(clientID: "fast", eventID: "f\(i)", eventType: "t", payload: []))
            #expect(result == .delivered(attempts: 1))
        }
        // Only two requests reached the hanging endpoint: its lane limit held the other two back.
        #expect(http.requestCount(url: "http://sink/slow") == 2)
        hung.cancel()
        let ended = try await finished(Task { await hung.result }, "the hung deliveries end once cancelled")
        #expect(throws: CancellationError.self) { try ended.get() }
    }

    @Test func attemptOnceDeliversSignedAndUnsignedRoutesOnce() async throws {
        let http = FakeHTTP(byURL: ["http://sink/plain": [.status(200)], "http://sink/signed": [.status(200)], "http://sink/down": [.status(503)]])
        let routes = FixedRoutes(routes: ["plain": Route(url: "http://sink/plain"),
                                          "signed": Route(url: "http://sink/signed", secret: Self.secret),
                                          "down": Route(url: "http://sink/down")])
        let engine = engine(http, routes: routes)
        #expect(await engine.attemptOnce(DeliveryJob(clientID: "plain", eventID: "1", eventType: "t", payload: [])))
        #expect(await engine.attemptOnce(DeliveryJob(clientID: "signed", eventID: "2", eventType: "t", payload: [])))
        #expect(await engine.attemptOnce(DeliveryJob(clientID: "down", eventID: "3", eventType: "t", payload: [])) == false)
        #expect(await engine.attemptOnce(DeliveryJob(clientID: "nobody", eventID: "4", eventType: "t", payload: [])) == false)
        #expect(http.requests.map(\.url) == ["http://sink/plain", "http://sink/signed", "http://sink/down"])
    }

    @Test func aClientWhoseLaneAndQueueAreFullIsParkedNotHeldInMemory() async throws {
        let http = FakeHTTP(byURL: ["http://sink/slow": [.hang]])
        let retries = MemoryRetryQueue()
        let engine = engine(http, routes: FixedRoutes(routes: ["slow": Route(url: "http://sink/slow")]), retries: retries,
                            perClient: 2, timeout: .seconds(600), patience: .zero)  // no backlog: LaneBacklogTests
        let held = Task { try await withThrowingTaskGroup(of: DeliveryResult.self) { group in
            for i in 0..<4 {
                group.addTask { try await engine.deliver(DeliveryJob(clientID: "slow", eventID: "s\(i)", eventType: "t", payload: [], eventKey: "k\(i)")) }
            }
            for try await _ in group {}
        } }
        try await eventually("two attempts run and two wait", within: .seconds(10)) {
            let waiting = await engine.lanes.waiting("slow/default")
            return http.requestCount(url: "http://sink/slow") == 2 && waiting == 2
        }
        // Lane and queue full: the fifth is parked at once, its attempt number unchanged, not attempted.
        let parked = try await engine.deliver(DeliveryJob(clientID: "slow", eventID: "s4", eventType: "t", payload: [], eventKey: "k4"))
        #expect(parked == .parked(attempt: 1))
        #expect(retries.scheduled.withLock { $0.map(\.retry.attempt) } == [1])
        #expect(http.requestCount(url: "http://sink/slow") == 2)
        held.cancel()
        _ = try await finished(Task { await held.result }, "the hung deliveries end once cancelled")
    }

    @Test func anOpenCircuitParksWithoutAnAttemptUntilItsProbe() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(503)]])
        let retries = MemoryRetryQueue()
        var options = CircuitBreaker.Options()
        options.minimumAttempts = 3
        let engine = engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), retries: retries,
                            maxAttempts: 8, breaker: options)
        for i in 0..<3 {
            _ = try await engine.deliver(DeliveryJob(clientID: "acme", eventID: "e\(i)", eventType: "t", payload: [], eventKey: "k\(i)"))
        }
        #expect(engine.breaker.state(of: "acme/default") == .open)
        let result = try await engine.deliver(DeliveryJob(clientID: "acme", eventID: "e3", eventType: "t", payload: [], eventKey: "k3"))
        #expect(result == .parked(attempt: 1))
        #expect(http.requestCount(url: "http://sink/acme") == 3, "no attempt while the circuit is open")
        #expect(retries.scheduled.withLock { $0.last?.delay } == options.probeInterval)
    }

    @Test func parkingCountsAndAnEventParkedPastItsScheduleIsDeadLettered() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let dlq = RecordingDLQ()
        let engine = engine(http, routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]), dlq: dlq, maxAttempts: 3)
        // The legacy 3-attempt schedule lasts 1.5 s (+20 %), plus one probe interval: long past that.
        let firstAttempt: Int64 = 1_700_000_000_000 - 3_600_000
        let result = try await engine.deliver(job, attempt: 2, firstAttemptAtMillis: firstAttempt, lastStatus: 503, deferrals: 4)
        guard case let .deadLettered(letter) = result else { Issue.record("expected a dead letter"); return }
        #expect(letter.reason.code == .attemptsExhausted && letter.attempts == 1 && letter.lastStatus == 503)
        #expect(letter.reason.detail.contains("4 times parked"))
        #expect(http.requests.isEmpty)
        // Not parked before: the schedule alone decides.
        #expect(try await engine.deliver(job, attempt: 2, firstAttemptAtMillis: firstAttempt, lastStatus: 503) == .delivered(attempts: 2))
    }

    @Test func aRetryMessageRoundTripsEveryField() {
        let retry = PendingRetry(clientID: "c\"1", eventKey: "2026-01-01T00:00:00Z#e", eventID: "e", attempt: 3,
                                 firstAttemptAtMillis: 1, dueAtMillis: 2, lastStatus: 429, deferrals: 2)
        #expect(PendingRetry(json: retry.json) == retry)
        var plain = retry
        (plain.lastStatus, plain.deferrals) = (nil, 0)
        #expect(PendingRetry(json: plain.json) == plain)
        #expect(PendingRetry(json: #"{"v":2}"#) == nil)
    }
}
