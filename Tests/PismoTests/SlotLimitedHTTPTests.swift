import Testing
import Transport
@testable import Pismo

/// The webhook transport's global budget (issue 15, part 5): a hung receiver host holds at most its
/// share of the slots, other hosts still go out, and a wait for a slot ends at the attempt's deadline.
@Suite(.timeLimit(.minutes(1))) struct SlotLimitedHTTPTests {
    @Test func aHungHostHoldsOnlyItsShareAndWaitsEndAtTheDeadline() async throws {
        let fake = FakeHTTP(byURL: ["http://hung.test/a": [.hang], "http://fine.test/b": [.status(200)]])
        let http = SlotLimitedHTTP(fake, capacity: 4)  // 2 per host
        var hung: [Task<Void, Never>] = []
        for _ in 0..<5 {
            hung.append(Task { _ = try? await http.execute(HTTPRequest(method: "POST", url: "http://hung.test/a"), timeout: .seconds(3)) })
        }
        try await eventually("two reach the hung host", within: .seconds(5)) { fake.requests.count == 2 }
        let fine = try await http.execute(HTTPRequest(method: "POST", url: "http://fine.test/b"), timeout: .seconds(3))
        #expect(fine.status == 200, "another host is not held up by the hung one")
        await #expect(throws: HTTPClientError.requestTimeout(host: "hung.test")) {
            _ = try await http.execute(HTTPRequest(method: "POST", url: "http://hung.test/a"), timeout: .milliseconds(100))
        }
        #expect(fake.requests.filter { $0.url.contains("hung") }.count == 2, "waiting requests never reached the host")
        for task in hung { task.cancel() }
        for task in hung { await task.value }
        #expect(await http.slots.inFlight == 0, "every slot came back (timeouts and cancellations included)")
    }
}
