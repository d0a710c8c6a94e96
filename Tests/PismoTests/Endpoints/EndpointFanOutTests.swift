import Foundation
import Testing
import Transport
@testable import Pismo

/// Several endpoints per client: each event goes where its type is wanted, and each endpoint is
/// resolved on its own — retries, dead letters, limits — without touching its siblings.
@Suite(.timeLimit(.minutes(1))) struct EndpointFanOutTests {
    let job = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "invoice.paid",
                          payload: Array(#"{"client_id":"acme"}"#.utf8), eventKey: "2026-01-01T00:00:00Z#evt-1")
    static let billing = Endpoint(id: "billing", url: "http://sink/billing", eventTypes: ["invoice.paid", "invoice.failed"])
    static let analytics = Endpoint(id: "analytics", url: "http://sink/analytics")
    static let users = Endpoint(id: "users", url: "http://sink/users", eventTypes: ["user.created"])

    func engine(_ http: FakeHTTP, _ route: Route, dlq: RecordingDLQ = RecordingDLQ(), retries: MemoryRetryQueue = MemoryRetryQueue(),
                registry: MetricsRegistry = MetricsRegistry(), sleeps: Locked<[Duration]> = Locked([])) -> DeliveryEngine {
        DeliveryEngine(routes: FixedRoutes(routes: ["acme": route]), sender: WebhookSender(http: http, timeout: .seconds(3), now: { 1_700_000_000 }),
                       deadLetters: dlq, retries: retries, policy: DeliveryPolicy(maxAttempts: 3), perClientConcurrency: 2,
                       metrics: DeliveryMetrics(registry: registry), sleep: { d in sleeps.withLock { $0.append(d) } },
                       now: { Date(timeIntervalSince1970: 1_700_000_000) })
    }

    @Test func eachEventGoesToEveryEndpointWhoseFilterTakesItsTypeAndNowhereElse() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let engine = engine(http, Route(endpoints: [Self.billing, Self.analytics, Self.users]))
        #expect(try await engine.deliver(job) == .fannedOut(["billing": .delivered(attempts: 1), "analytics": .delivered(attempts: 1)]))
        var user = job
        user.eventType = "user.created"
        #expect(try await engine.deliver(user) == .fannedOut(["users": .delivered(attempts: 1), "analytics": .delivered(attempts: 1)]))
        #expect(http.requestCount(url: "http://sink/billing") == 1)
        #expect(http.requestCount(url: "http://sink/analytics") == 2)
        #expect(http.requestCount(url: "http://sink/users") == 1)
        // Every endpoint gets the same webhook-id: the event's.
        #expect(Set(http.requests.map { $0.headers["webhook-id"] }) == ["evt-1"])
    }

    @Test func anEventNoEndpointWantsIsResolvedWithNothingSent() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let dlq = RecordingDLQ()
        let registry = MetricsRegistry()
        var other = job
        other.eventType = "shipment.sent"
        #expect(try await engine(http, Route(endpoints: [Self.billing, Self.users]), dlq: dlq, registry: registry).deliver(other) == .filtered)
        #expect(http.requests.isEmpty && dlq.all.isEmpty)
        #expect(registry.render().contains("pismo_deliver_filtered_total 1"))
    }

    @Test func aFailingEndpointRetriesAndDeadLettersAloneWhileItsSiblingIsDelivered() async throws {
        let http = FakeHTTP(byURL: ["http://sink/billing": [.status(503)], "http://sink/analytics": [.status(200)]])
        let dlq = RecordingDLQ()
        let retries = MemoryRetryQueue()
        let engine = engine(http, Route(endpoints: [Self.billing, Self.analytics]), dlq: dlq, retries: retries)
        #expect(try await engine.deliver(job) == .fannedOut(["billing": .retryScheduled(attempt: 2), "analytics": .delivered(attempts: 1)]))
        let retry = try #require(retries.next())
        #expect(retry.endpointID == "billing" && retry.attempt == 2)
        // The retry goes to its endpoint only, as the retry worker hands it over.
        var again = job
        again.endpointID = retry.endpointID
        #expect(try await engine.deliver(again, attempt: 2, firstAttemptAtMillis: retry.firstAttemptAtMillis) == .retryScheduled(attempt: 3))
        let last = try #require(retries.next())
        let result = try await engine.deliver(again, attempt: last.attempt, firstAttemptAtMillis: last.firstAttemptAtMillis, lastStatus: 503)
        guard case let .deadLettered(letter) = result else { Issue.record("not dead-lettered: \(result)"); return }
        #expect(letter.endpointID == "billing" && letter.reason.code == .attemptsExhausted && letter.attempts == 3)
        #expect(http.requestCount(url: "http://sink/analytics") == 1)
        #expect(http.requestCount(url: "http://sink/billing") == 3)
    }

    @Test func aHangingEndpointDoesNotHoldItsSiblingsDelivery() async throws {
        let http = FakeHTTP(byURL: ["http://sink/billing": [.hang], "http://sink/analytics": [.status(200)]])
        let engine = engine(http, Route(endpoints: [Self.billing, Self.analytics]))
        let started = ContinuousClock.now
        let result = try await engine.deliver(job)
        // The whole job waits for the hanging attempt's timeout (3 s) — but the sibling was sent at once.
        #expect(result == .fannedOut(["billing": .retryScheduled(attempt: 2), "analytics": .delivered(attempts: 1)]))
        #expect(http.requests.first { $0.url == "http://sink/analytics" } != nil)
        #expect(ContinuousClock.now - started >= .seconds(3))
    }

    @Test func aRetryForAnEndpointDeletedSinceIsDeadLetteredNamingIt() async throws {
        let dlq = RecordingDLQ()
        var retry = job
        retry.endpointID = "gone"
        let result = try await engine(FakeHTTP(fallback: .status(200)), Route(endpoints: [Self.analytics]), dlq: dlq).deliver(retry, attempt: 2)
        guard case let .deadLettered(letter) = result else { Issue.record("\(result)"); return }
        #expect(letter.reason == DeadLetterReason(.noRoute, "client acme has no endpoint 'gone' any more"))
        #expect(letter.endpointID == "gone")
    }

    @Test func extraHeadersAndTheEndpointsOwnTimeoutAreUsed() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let endpoint = Endpoint(id: "h", url: "http://sink/h", timeout: .milliseconds(700), headers: ["Authorization": "Bearer t"])
        _ = try await engine(http, Route(endpoints: [endpoint])).deliver(job)
        #expect(http.requests[0].headers["authorization"] == "Bearer t")
        #expect(http.timeouts == [.milliseconds(700)])
    }

    @Test func anInvalidEndpointIsDeadLetteredNotSent() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let dlq = RecordingDLQ()
        let endpoint = Endpoint(id: "h", url: "http://sink/h", headers: ["X-A": "1\r\nX-Injected: 1"])
        let result = try await engine(http, Route(endpoints: [endpoint, Self.analytics]), dlq: dlq).deliver(job)
        guard case let .fannedOut(results) = result, case let .deadLettered(letter)? = results["h"] else { Issue.record("\(result)"); return }
        #expect(letter.reason.code == .badEndpoint)
        #expect(results["analytics"] == .delivered(attempts: 1))
        #expect(http.requestCount(url: "http://sink/h") == 0)
    }

    @Test func aRateLimitWaitsBrieflyThenParksTheBacklogWithoutCountingItAsAFailure() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let retries = MemoryRetryQueue()
        let sleeps = Locked<[Duration]>([])
        let registry = MetricsRegistry()
        let limited = Endpoint(id: "slow", url: "http://sink/slow", ratePerSecond: 1)
        let engine = engine(http, Route(endpoints: [limited]), retries: retries, registry: registry, sleeps: sleeps)
        var results: [DeliveryResult] = []
        for i in 0..<3 {
            var next = job
            next.eventKey = "k\(i)"
            results.append(try await engine.deliver(next))
        }
        // One token at once, the next after a second's wait (in memory), the third would wait 2 s: parked.
        #expect(results == [.delivered(attempts: 1), .delivered(attempts: 1), .parked(attempt: 1)])
        let waited = sleeps.withLock { $0 }
        #expect(waited.count == 1 && waited[0] > .milliseconds(900) && waited[0] <= .seconds(1))
        let parked = try #require(retries.next())
        #expect(parked.endpointID == "slow" && parked.deferrals == 0 && parked.attempt == 1)
        let text = registry.render()
        #expect(text.contains("pismo_rate_limit_waits_total 1") && text.contains("pismo_rate_limit_parked_total 1"))
    }

    @Test func directDispatchTakesOnlyEventsWithASingleEndpointButRedriveFansOut() async throws {
        let http = FakeHTTP(fallback: .status(200))
        let engine = engine(http, Route(endpoints: [Self.billing, Self.analytics]))
        #expect(await engine.attemptOnce(job, fanOut: false) == false)
        #expect(http.requests.isEmpty)
        #expect(await engine.attemptOnce(job))
        #expect(http.requests.count == 2)
        var one = job
        one.endpointID = "billing"
        #expect(await engine.attemptOnce(one, fanOut: false))
        #expect(http.requestCount(url: "http://sink/billing") == 2)
    }

    @Test func healthIsKeptPerEndpoint() async throws {
        let routes = HealthRoutes(["acme": Route(endpoints: [Self.billing, Self.analytics])])
        let http = FakeHTTP(byURL: ["http://sink/billing": [.status(410)], "http://sink/analytics": [.status(200)]])
        let dlq = RecordingDLQ()
        let engine = DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: dlq,
                                    retries: MemoryRetryQueue(), health: routes, policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in })
        _ = try await engine.deliver(job)
        #expect(routes.writes.withLock { $0 } == ["disable acme/billing: the endpoint answered 410 Gone"])
        let after = try #require(routes.routes.withLock { $0["acme"] })
        #expect(after.endpoint("billing")?.disabledAt != nil && after.endpoint("analytics")?.disabledAt == nil)
        // The disabled endpoint's next events are dead-lettered without an attempt; its sibling still gets them.
        _ = try await engine.deliver(job)
        #expect(http.requestCount(url: "http://sink/billing") == 1 && http.requestCount(url: "http://sink/analytics") == 2)
        #expect(dlq.all.map(\.reason.code) == [.disabled, .disabled] && dlq.all.allSatisfy { $0.endpointID == "billing" })
    }
}

/// The retry worker hands each retry to its own endpoint, and a replay's (`*`) to every endpoint.
@Suite(.timeLimit(.minutes(1))) struct EndpointRetryWorkerTests {
    let stored = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "invoice.paid", payload: Array("{}".utf8), eventKey: "k1")

    func handle(_ endpointID: String, _ http: FakeHTTP) async {
        let queue = MemoryRetryQueue()
        let route = Route(endpoints: [EndpointFanOutTests.billing, EndpointFanOutTests.analytics, EndpointFanOutTests.users])
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["acme": route]), sender: WebhookSender(http: http, timeout: .seconds(1)),
                                    deadLetters: RecordingDLQ(), retries: queue, policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in })
        let now = UTCTime.millisecondsSince1970(Date())
        let retry = PendingRetry(clientID: "acme", eventKey: "k1", eventID: "evt-1", endpointID: endpointID, attempt: 1,
                                 firstAttemptAtMillis: now, dueAtMillis: now)
        await RetryWorker(queue: queue, events: MemoryStoredEvents([stored]), engine: engine, deadLetters: RecordingDLQ(), sleep: { _ in })
            .handle(RetryMessage(receiptHandle: "rh", body: retry.json, receiveCount: 1))
    }

    @Test func aRetryGoesToItsEndpointOnly() async {
        let http = FakeHTTP(fallback: .status(200))
        await handle("analytics", http)
        #expect(http.requests.map(\.url) == ["http://sink/analytics"])
    }

    @Test func aReplayGoesToEveryEndpointWhoseFilterTakesTheEvent() async {
        let http = FakeHTTP(fallback: .status(200))
        await handle(PendingRetry.allEndpoints, http)
        #expect(Set(http.requests.map(\.url)) == ["http://sink/billing", "http://sink/analytics"])
    }
}
