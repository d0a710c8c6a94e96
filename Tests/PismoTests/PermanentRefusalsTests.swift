import Foundation
import Testing
import Transport
@testable import Pismo

/// A request AWS refuses for what it carries is never retried: the job is resolved another way (a
/// dead letter, or a logged drop when even deliver-dlq refuses), so no record holds a shard.
@Suite(.timeLimit(.minutes(1))) struct PermanentRefusalsTests {
    let job = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "t", payload: Array(#"{"n":1}"#.utf8), eventKey: "k#evt-1")
    let routes = FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")])

    func engine(_ http: FakeHTTP = FakeHTTP(), routes: any RouteStore, dlq: any DeadLetterPublisher = RecordingDLQ(),
                retries: any RetryScheduler = MemoryRetryQueue(), registry: MetricsRegistry = MetricsRegistry()) -> DeliveryEngine {
        DeliveryEngine(routes: routes, sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: dlq, retries: retries,
                       policy: DeliveryPolicy(maxAttempts: 3), metrics: DeliveryMetrics(registry: registry), sleep: { _ in })
    }

    @Test func aRouteLookupRefusedForItsContentIsDeadLetteredNotRetried() async throws {
        let dlq = RecordingDLQ()
        let result = try await engine(routes: RefusingRoutes(), dlq: dlq).deliver(job)
        guard case let .deadLettered(letter) = result else { Issue.record("\(result)"); return }
        #expect(letter.reason.code == .awsRefused && letter.reason.description.contains("ValidationException"))
        #expect(dlq.all.count == 1 && dlq.all.first?.eventKey == "k#evt-1", "the letter names the stored item")
    }

    @Test func aFollowUpTheRetryQueueRefusesIsDeadLetteredWithTheAttemptCounted() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(503)]])
        let dlq = RecordingDLQ(), retries = RefusingRetryQueue()
        let result = try await engine(http, routes: routes, dlq: dlq, retries: retries).deliver(job)
        guard case let .deadLettered(letter) = result else { Issue.record("\(result)"); return }
        #expect(letter.reason.code == .awsRefused && letter.attempts == 1 && letter.lastStatus == 503)
        #expect(retries.tries.withLock { $0 } == 1, "tried once, not looped")
    }

    @Test func aDeadLetterEvenDeliverDLQRefusesResolvesTheRecordAndIsCounted() async throws {
        let dlq = RefusingDLQ(), registry = MetricsRegistry()
        let result = try await engine(routes: FixedRoutes(routes: [:]), dlq: dlq, registry: registry).deliver(job)
        guard case .deadLettered = result else { Issue.record("\(result)"); return }
        #expect(dlq.tries.withLock { $0 } == 1)
        #expect(registry.render().contains("pismo_dead_letters_refused_total 1\n"))
    }

    @Test func anOutageIsStillRetriedUntilItEndsAndCountedByCode() async throws {
        let dlq = RecordingDLQ(failures: 3), registry = MetricsRegistry()
        let result = try await engine(routes: FixedRoutes(routes: [:]), dlq: dlq, registry: registry).deliver(job)
        guard case .deadLettered = result else { Issue.record("\(result)"); return }
        #expect(dlq.all.map(\.reason.code) == [.noRoute])
        #expect(registry.render().contains(
            #"pismo_deliver_retried_errors_total{operation="sqs.SendMessage",code="Pismo.ConnectionError"} 3"#))
    }
}
