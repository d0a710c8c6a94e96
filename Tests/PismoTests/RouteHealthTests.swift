import Foundation
import Testing
import Transport
@testable import Pismo

/// Disabling endpoints: 410 Gone at once, and a streak of failures without a success for
/// `disableAfter`; a disabled route dead-letters with the reason; a healthy one costs no writes.
@Suite(.timeLimit(.minutes(1))) struct RouteHealthTests {
    static let nowMillis: Int64 = 1_700_000_000_000
    let job = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "t", payload: Array("{}".utf8), eventKey: "k1")

    func engine(_ http: FakeHTTP, _ routes: HealthRoutes, dlq: RecordingDLQ, retries: MemoryRetryQueue = MemoryRetryQueue(),
                registry: MetricsRegistry = MetricsRegistry()) -> DeliveryEngine {
        DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: dlq, retries: retries,
                       health: routes, disableAfter: .seconds(3600), policy: DeliveryPolicy(maxAttempts: 8),
                       metrics: DeliveryMetrics(registry: registry), sleep: { _ in },
                       now: { Date(timeIntervalSince1970: Double(Self.nowMillis) / 1000) })
    }

    @Test func a410DisablesTheRouteAtOnceAndDeadLettersWithTheReason() async throws {
        let routes = HealthRoutes(["acme": Route(url: "http://sink/acme")])
        let dlq = RecordingDLQ(), retries = MemoryRetryQueue(), registry = MetricsRegistry()
        let result = try await engine(FakeHTTP(byURL: ["http://sink/acme": [.status(410)]]), routes, dlq: dlq, retries: retries,
                                      registry: registry).deliver(job)
        guard case let .deadLettered(letter) = result else { Issue.record("expected a dead letter"); return }
        #expect(letter.reason.code == .disabled && letter.lastStatus == 410 && letter.attempts == 1)
        #expect(routes.routes.withLock { $0["acme"]?.disabledAt } == "2023-11-14T22:13:20.000Z")
        #expect(retries.scheduled.withLock { $0.isEmpty }, "a disabled endpoint is not retried")
        #expect(registry.render().contains("pismo_routes_disabled_total 1"))
    }

    @Test func aDisabledRoutesEventsAreDeadLetteredWithoutAnAttempt() async throws {
        let routes = HealthRoutes(["acme": Route(url: "http://sink/acme", disabledAt: "2023-11-14T00:00:00.000Z", disabledReason: "gone")])
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let dlq = RecordingDLQ()
        _ = try await engine(http, routes, dlq: dlq).deliver(job)
        #expect(http.requests.isEmpty)
        #expect(dlq.all.first?.reason == DeadLetterReason(.disabled, "the endpoint was disabled at 2023-11-14T00:00:00.000Z: gone"))
    }

    @Test func theFirstFailureStartsAStreakAndOnlyALongOneDisables() async throws {
        let routes = HealthRoutes(["acme": Route(url: "http://sink/acme")])
        let dlq = RecordingDLQ()
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(503)]])
        #expect(try await engine(http, routes, dlq: dlq).deliver(job) == .retryScheduled(attempt: 2))
        #expect(routes.writes.withLock { $0 } == ["failing acme \(Self.nowMillis)"])
        // Failing for 59 minutes: still enabled, no further write.
        routes.routes.withLock { $0["acme"]?.failingSinceMillis = Self.nowMillis - 59 * 60_000 }
        #expect(try await engine(http, routes, dlq: dlq).deliver(job) == .retryScheduled(attempt: 2))
        #expect(routes.writes.withLock { $0.count } == 1)
        // Failing for an hour without a success: disabled.
        routes.routes.withLock { $0["acme"]?.failingSinceMillis = Self.nowMillis - 60 * 60_000 }
        let result = try await engine(http, routes, dlq: dlq).deliver(job)
        guard case let .deadLettered(letter) = result else { Issue.record("expected a dead letter"); return }
        #expect(letter.reason.code == .disabled)
        #expect(routes.routes.withLock { $0["acme"]?.disabledAt } != nil)
    }

    @Test func aSuccessEndsTheStreakAndAHealthyRouteCostsNoWrites() async throws {
        let routes = HealthRoutes(["acme": Route(url: "http://sink/acme", failingSinceMillis: Self.nowMillis - 1000)])
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let engine = engine(http, routes, dlq: RecordingDLQ())
        _ = try await engine.deliver(job)
        #expect(routes.writes.withLock { $0 } == ["healthy acme"])
        for _ in 0..<5 { _ = try await engine.deliver(job) }
        #expect(routes.writes.withLock { $0.count } == 1, "no write while healthy")
    }
}
