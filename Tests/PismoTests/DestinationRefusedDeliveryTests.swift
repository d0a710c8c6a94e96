import Foundation
import Testing
import Transport
@testable import Pismo

/// A destination the guard refuses is dead-lettered at once with `destination-refused`, never
/// retried, and is no evidence against the endpoint: neither the circuit breaker nor the route's
/// health counts it.
@Suite(.timeLimit(.minutes(1))) struct DestinationRefusedDeliveryTests {
    static let refusal = HTTPClientError.destinationRefused(host: "127.2", address: "127.0.0.2", rule: .loopback)
    static let url = "http://127.2:8080/hook"

    func job(_ n: Int) -> DeliveryJob {
        DeliveryJob(clientID: "acme", eventID: "evt-\(n)", eventType: "t", payload: Array("{}".utf8), eventKey: "k\(n)")
    }

    @Test func policyFailsARefusalAtOnce() {
        let decision = DeliveryPolicy(maxAttempts: 8).decide(.refused(Self.refusal.description), attempt: 1)
        #expect(decision == .fail(reason: DeadLetterReason(.destinationRefused, Self.refusal.description)))
    }

    @Test func senderReportsTheGuardsRefusalAsSuch() async {
        let sender = WebhookSender(http: FakeHTTP([.fail(Self.refusal)]), timeout: .seconds(1))
        #expect(await sender.attempt(job(1), endpoint: Endpoint(url: Self.url), signer: nil).outcome == .refused(Self.refusal.description))
        let refused = WebhookSender(http: FakeHTTP([.refuse]), timeout: .seconds(1))
        guard case .transportError = await refused.attempt(job(1), endpoint: Endpoint(url: Self.url), signer: nil).outcome else {
            Issue.record("a refused connection is a transport error, not a refused destination"); return
        }
    }

    @Test func deadLetteredWithTheRuleNeverRetriedNeverCounted() async throws {
        let routes = HealthRoutes(["acme": Route(url: Self.url)])
        let dlq = RecordingDLQ(), retries = MemoryRetryQueue()
        let engine = DeliveryEngine(routes: routes, sender: WebhookSender(http: FakeHTTP(fallback: .fail(Self.refusal)), timeout: .seconds(1)),
                                    deadLetters: dlq, retries: retries, health: routes, policy: DeliveryPolicy(maxAttempts: 8),
                                    sleep: { _ in })
        // More than the breaker's minimum of 10 attempts, every one a failure if it were counted.
        for n in 0..<15 {
            guard case let .deadLettered(letter) = try await engine.deliver(job(n)) else { Issue.record("expected a dead letter"); return }
            #expect(letter.reason.code == .destinationRefused && letter.attempts == 1 && letter.lastStatus == nil)
            #expect(letter.reason.description.hasPrefix("destination-refused: destination 127.2 refused: 127.0.0.2 is loopback"))
        }
        #expect(retries.scheduled.withLock { $0.isEmpty })
        #expect(dlq.all.count == 15)
        #expect(engine.breaker.permit(DeliveryEngine.endpointKey(clientID: "acme")) == .attempt, "the circuit stays closed")
        #expect(routes.writes.withLock { $0.isEmpty }, "the route's health is not touched")
        #expect(await engine.attemptOnce(job(99)) == false)
        #expect(engine.breaker.permit(DeliveryEngine.endpointKey(clientID: "acme")) == .attempt)
    }

    @Test func theCodeIsInTheTable() {
        #expect(DeadLetterReason.code(of: "destination-refused: destination x refused") == .destinationRefused)
        #expect(DeadLetterCode.destinationRefused.meaning.contains("PISMO_WEBHOOK_ALLOW_NETS"))
    }
}
