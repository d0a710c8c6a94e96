import Testing
import Transport
@testable import Pismo

/// The webhook budget as the sender applies it (issue 15, part 5): a hung receiver host holds at most
/// its share of the slots, a client spread over many hosts at most its own, the others still go out,
/// and a wait for a slot ends at the attempt's deadline with every slot given back.
@Suite(.timeLimit(.minutes(1))) struct WebhookSlotsTests {
    static func job(_ client: String) -> DeliveryJob {
        DeliveryJob(clientID: client, eventID: "e", eventType: "t", payload: [], eventKey: "k")
    }

    static func attempt(_ sender: WebhookSender, _ client: String, _ url: String, timeout: Duration? = nil) async -> WebhookSender.Report {
        await sender.attempt(job(client), endpoint: Endpoint(url: url, timeout: timeout), signer: nil)
    }

    @Test func aHungHostHoldsOnlyItsShareAndWaitsEndAtTheDeadline() async throws {
        let fake = FakeHTTP(byURL: ["http://hung.test/a": [.hang], "http://fine.test/b": [.status(200)]])
        let sender = WebhookSender(http: fake, timeout: .seconds(3), slots: DeliverySlots(options: .init(capacity: 4)))  // 2 per host
        var hung: [Task<Void, Never>] = []
        for client in ["c1", "c2", "c3", "c4", "c5"] {
            hung.append(Task { _ = await Self.attempt(sender, client, "http://hung.test/a") })
        }
        try await eventually("two reach the hung host", within: .seconds(5)) { fake.requests.count == 2 }
        #expect(await Self.attempt(sender, "c6", "http://fine.test/b").outcome == .status(200, retryAfter: nil),
                "another host is not held up by the hung one")
        let waited = await Self.attempt(sender, "c7", "http://hung.test/a", timeout: .milliseconds(100))
        #expect(waited.outcome == .transportError(HTTPClientError.requestTimeout(host: "hung.test").description))
        #expect(fake.requests.filter { $0.url.contains("hung") }.count == 2, "waiting attempts never reached the host")
        for task in hung { task.cancel() }
        for task in hung { await task.value }
        #expect(await sender.slots?.inFlight == 0, "every slot came back (timeouts and cancellations included)")
    }

    /// One client whose endpoints sit on many hosts, all hanging: per host it stays under the host
    /// share, so only the client share stops it from taking every slot.
    @Test func aClientSpreadOverManyHostsHoldsOnlyItsShare() async throws {
        let fake = FakeHTTP(fallback: .hang)
        let slots = DeliverySlots(options: .init(capacity: 8, perClient: 2, perHost: 4))
        let sender = WebhookSender(http: fake, timeout: .seconds(3), slots: slots)
        var hung: [Task<Void, Never>] = []
        for host in 0..<6 {
            hung.append(Task { _ = await Self.attempt(sender, "greedy", "http://h\(host).test/x") })
        }
        try await eventually("the greedy client holds its two", within: .seconds(5)) { fake.requests.count == 2 }
        let other = Task { await Self.attempt(sender, "polite", "http://h0.test/y") }
        try await eventually("another client still goes out", within: .seconds(5)) { fake.requests.count == 3 }
        #expect(fake.requests.filter { $0.url.hasSuffix("/x") }.count == 2, "the greedy client never passed its share")
        other.cancel()
        for task in hung { task.cancel() }
        _ = await other.value
        for task in hung { await task.value }
        #expect(await slots.inFlight == 0)
    }
}
