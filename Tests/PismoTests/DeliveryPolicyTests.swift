import Foundation
import Testing
@testable import Pismo

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(60))
    let maxJitter: (ClosedRange<Double>) -> Double = { $0.upperBound }

    @Test func twoHundredsAreDelivered() {
        #expect(policy.decide(.status(200, retryAfter: nil), attempt: 1) == .delivered)
        #expect(policy.decide(.status(204, retryAfter: nil), attempt: 3) == .delivered)
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func retryableStatusesRetry(code: Int) {
        #expect(policy.decide(.status(code, retryAfter: nil), attempt: 1, random: maxJitter) == .retry(after: .milliseconds(500)))
        #expect(policy.decide(.status(code, retryAfter: nil), attempt: 2, random: maxJitter) == .retry(after: .milliseconds(1000)))
    }

    @Test(arguments: [301, 400, 401, 403, 404, 410, 422])
    func otherStatusesFailAfterOneAttempt(code: Int) {
        #expect(policy.decide(.status(code, retryAfter: nil), attempt: 1) == .fail(reason: DeadLetterReason(.permanent(status: code), "permanent HTTP \(code)")))
    }

    @Test func maxAttemptsCountsTheFirstAttempt() {
        #expect(policy.decide(.status(500, retryAfter: nil), attempt: 3) == .fail(reason: DeadLetterReason(.attemptsExhausted, "3 attempts, last: HTTP 500")))
        #expect(policy.decide(.transportError("timeout"), attempt: 3) == .fail(reason: DeadLetterReason(.attemptsExhausted, "3 attempts, last: timeout")))
        if case .retry = policy.decide(.transportError("connection refused"), attempt: 2) {} else { Issue.record("expected retry") }
    }

    @Test func retryAfterSecondsIsAFloor() {
        let decision = policy.decide(.status(429, retryAfter: "7"), attempt: 1, random: { _ in 0 })
        #expect(decision == .retry(after: .seconds(7)))
    }

    @Test func retryAfterIsCappedByMaxDelay() {
        let decision = policy.decide(.status(429, retryAfter: "86400"), attempt: 1, random: { _ in 0 })
        #expect(decision == .retry(after: .seconds(60)))
    }

    @Test func retryAfterHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = "Tue, 14 Nov 2023 22:13:30 GMT"  // now + 10 s
        #expect(DeliveryPolicy.parseRetryAfter(later, now: now) == .seconds(10))
        #expect(DeliveryPolicy.parseRetryAfter("soon", now: now) == nil)
    }

    @Test func backoffIsCapped() {
        #expect(policy.backoff(attempt: 30, random: maxJitter) == .seconds(60))
        #expect(policy.backoff(attempt: 1, random: { _ in 0 }) == .zero)
    }
}
