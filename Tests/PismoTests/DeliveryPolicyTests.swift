import Foundation
import Testing
@testable import Pismo

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(60))
    let maxJitter: (ClosedRange<Double>) -> Double = { $0.upperBound }
    let noJitter: (ClosedRange<Double>) -> Double = { _ in 1 }

    @Test func twoHundredsAreDelivered() {
        #expect(policy.decide(.status(200, retryAfter: nil), attempt: 1) == .delivered)
        #expect(policy.decide(.status(204, retryAfter: nil), attempt: 3) == .delivered)
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func retryableStatusesRetry(code: Int) {
        // Attempt 2 waits the schedule's first delay, attempt 3 its second; +20 % at most.
        #expect(policy.decide(.status(code, retryAfter: nil), attempt: 1, random: maxJitter) == .retry(after: .milliseconds(600)))
        #expect(policy.decide(.status(code, retryAfter: nil), attempt: 2, random: noJitter) == .retry(after: .milliseconds(1000)))
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

    @Test func aLongerRetryAfterReplacesTheScheduledDelay() {
        let decision = policy.decide(.status(429, retryAfter: "0.9"), attempt: 1, random: noJitter)
        #expect(decision == .retry(after: .milliseconds(500)), "not a number of seconds: ignored")
        let longer = DeliveryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(60))
            .decide(.status(503, retryAfter: "1"), attempt: 1, random: noJitter)
        #expect(longer == .retry(after: .seconds(1)), "1 s > 500 ms, and within the longest delay (1 s)")
    }

    @Test func retryAfterIsCappedAtTheSchedulesLongestDelay() {
        let decision = policy.decide(.status(429, retryAfter: "86400"), attempt: 1, random: noJitter)
        #expect(decision == .retry(after: .seconds(1)))
    }

    @Test func retryAfterHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = "Tue, 14 Nov 2023 22:13:30 GMT"  // now + 10 s
        #expect(DeliveryPolicy.parseRetryAfter(later, now: now) == .seconds(10))
        #expect(DeliveryPolicy.parseRetryAfter("soon", now: now) == nil)
    }
    @Test func theDefaultScheduleLastsADay() {
        let standard = DeliveryPolicy()
        #expect(standard.maxAttempts == 8)
        #expect(standard.decide(.status(500, retryAfter: nil), attempt: 7, random: noJitter) == .retry(after: .seconds(36_000)))
        #expect(standard.decide(.status(500, retryAfter: nil), attempt: 8) == .fail(reason: DeadLetterReason(.attemptsExhausted, "8 attempts, last: HTTP 500")))
    }
}
