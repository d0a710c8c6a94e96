import Foundation
import Testing
@testable import Pismo

@Suite struct RetryScheduleTests {
    let lowest: (ClosedRange<Double>) -> Double = { $0.lowerBound }
    let highest: (ClosedRange<Double>) -> Double = { $0.upperBound }
    let middle: (ClosedRange<Double>) -> Double = { ($0.lowerBound + $0.upperBound) / 2 }

    // MARK: Parsing

    @Test func parsesEveryUnitAndToleratesWhitespace() throws {
        let schedule = try RetrySchedule.parse(" 250ms, 5s ,5m,\t2h , 1d,3 s")
        #expect(schedule.delays == [.milliseconds(250), .seconds(5), .seconds(300), .seconds(7200), .seconds(86_400), .seconds(3)])
        #expect(schedule.maxAttempts == 7)
    }

    @Test func defaultIsSvixScheduleOfAboutTwentySevenPointSixHours() throws {
        let standard = RetrySchedule.standard
        #expect(standard == (try RetrySchedule.parse("5s,5m,30m,2h,5h,10h,10h")))
        #expect(standard.maxAttempts == 8)
        #expect(standard.total == .seconds(99_305))  // 27 h 35 min 5 s
        #expect(abs(standard.total.seconds / 3600 - 27.6) < 0.05)
        #expect(standard.longestDelay == .seconds(36_000))
        #expect(standard.description == "5s,5m,30m,2h,5h,10h,10h")
    }

    @Test func descriptionRoundTrips() throws {
        let text = "1500ms,90s,1m,36h,2d"
        #expect(try RetrySchedule.parse(text).description == "1500ms,90s,1m,36h,2d")
        #expect(try RetrySchedule.parse(RetrySchedule.parse(text).description) == RetrySchedule.parse(text))
    }

    @Test(arguments: [
        ("5s,,5m", "", 2, RetrySchedule.ParseError.Problem.empty),
        ("5s,5m,", "", 3, .empty),
        ("", "", 1, .empty),
        ("5s, 0s", "0s", 2, .notPositive),
        ("-5s", "-5s", 1, .notPositive),
        ("0ms", "0ms", 1, .notPositive),
        ("5s,5x", "5x", 2, .unknownUnit),
        ("5", "5", 1, .unknownUnit),
        ("5S", "5S", 1, .unknownUnit),
        ("5min", "5min", 1, .unknownUnit),
        ("s", "s", 1, .malformed),
        ("1.5h", "1.5h", 1, .malformed),
        ("+5s", "+5s", 1, .malformed),
        ("99999999999999999999s", "99999999999999999999s", 1, .tooLarge),
        ("5s,9999999999999999d", "9999999999999999d", 2, .tooLarge),
    ])
    func rejectsBadItemsNamingThem(text: String, item: String, position: Int, problem: RetrySchedule.ParseError.Problem) {
        #expect(throws: RetrySchedule.ParseError(item: item, position: position, problem: problem)) {
            try RetrySchedule.parse(text)
        }
    }

    @Test func errorMessagesNameTheItem() {
        #expect(RetrySchedule.ParseError(item: "5x", position: 2, problem: .unknownUnit).description
            == "item 2 '5x' has an unknown unit (use ms, s, m, h or d)")
        #expect(RetrySchedule.ParseError(item: "", position: 3, problem: .empty).description == "item 3 is empty")
        #expect(RetrySchedule.ParseError(item: "0s", position: nil, problem: .notPositive).description == "'0s' is not greater than zero")
    }

    @Test func atMostAHundredDelays() throws {
        let hundred = Array(repeating: "1s", count: 100).joined(separator: ",")
        #expect(try RetrySchedule.parse(hundred).maxAttempts == 101)
        #expect(throws: RetrySchedule.ParseError(item: "", position: nil, problem: .tooMany(count: 101))) {
            try RetrySchedule.parse(hundred + ",1s")
        }
    }

    @Test func singleDurations() throws {
        #expect(try RetrySchedule.parseDuration("5d") == .seconds(432_000))
        #expect(try RetrySchedule.parseDuration(" 90 m ") == .seconds(5400))
        #expect(throws: RetrySchedule.ParseError(item: "0d", position: nil, problem: .notPositive)) {
            try RetrySchedule.parseDuration("0d")
        }
        #expect(throws: RetrySchedule.ParseError(item: "1d,2d", position: nil, problem: .malformed)) {
            try RetrySchedule.parseDuration("1d,2d")
        }
    }

    // MARK: Delays and jitter

    @Test func jitterBoundsAreExactlyEightyAndHundredTwentyPercent() {
        let standard = RetrySchedule.standard
        #expect(standard.delay(beforeAttempt: 2, random: lowest) == .seconds(4))
        #expect(standard.delay(beforeAttempt: 2, random: highest) == .seconds(6))
        #expect(standard.delay(beforeAttempt: 2, random: middle) == .seconds(5))
        #expect(standard.delay(beforeAttempt: 8, random: lowest) == .seconds(28_800))
        #expect(standard.delay(beforeAttempt: 8, random: highest) == .seconds(43_200))
        // Exact for any millisecond delay, not only round ones (plain Duration * Double is not).
        let odd = RetrySchedule(delays: [.milliseconds(297_107), .milliseconds(299_101)])
        #expect(odd.delay(beforeAttempt: 2, random: lowest) == .microseconds(237_685_600))
        #expect(odd.delay(beforeAttempt: 3, random: highest) == .microseconds(358_921_200))
        // A random source that strays out of its range is clamped to it.
        #expect(standard.delay(beforeAttempt: 3, random: { _ in 7 }) == .seconds(360))
        #expect(standard.delay(beforeAttempt: 3, random: { _ in -1 }) == .seconds(240))
    }

    @Test func realJitterStaysWithinBounds() {
        for _ in 0..<1000 {
            let d = RetrySchedule.standard.delay(beforeAttempt: 4)!
            #expect(d >= .seconds(1440) && d <= .seconds(2160))
        }
    }

    @Test func theRandomSourceIsAskedForTheJitterRange() {
        var asked: ClosedRange<Double>?
        _ = RetrySchedule.standard.delay(beforeAttempt: 2, random: { asked = $0; return $0.lowerBound })
        #expect(asked == 0.8...1.2)
    }

    @Test func attemptsBeyondTheScheduleAreExhausted() {
        let standard = RetrySchedule.standard
        #expect(standard.delay(beforeAttempt: 1, random: highest) == .zero)
        #expect(standard.delay(beforeAttempt: 8, random: highest) != nil)
        #expect(standard.delay(beforeAttempt: 9, random: highest) == nil)
        #expect(standard.delay(beforeAttempt: 100, retryAfter: .seconds(1), random: highest) == nil)
        #expect(standard.scheduledDelay(beforeAttempt: 9) == nil)
    }

    // MARK: Retry-After

    @Test func longerRetryAfterReplacesTheDelay() {
        #expect(RetrySchedule.standard.delay(beforeAttempt: 2, retryAfter: .seconds(120), random: highest) == .seconds(120))
    }

    @Test func shorterRetryAfterIsIgnored() {
        #expect(RetrySchedule.standard.delay(beforeAttempt: 3, retryAfter: .seconds(10), random: lowest) == .seconds(240))
    }

    @Test func retryAfterIsCappedAtTheLongestDelay() {
        #expect(RetrySchedule.standard.delay(beforeAttempt: 2, retryAfter: .seconds(7 * 86_400), random: lowest) == .seconds(36_000))
        // The cap limits Retry-After, not the schedule's own jitter.
        #expect(RetrySchedule.standard.delay(beforeAttempt: 8, retryAfter: .seconds(7 * 86_400), random: highest) == .seconds(43_200))
    }

    @Test func retryAfterIsReadOn429And503Only() {
        let standard = RetrySchedule.standard
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(standard.delay(beforeAttempt: 2, after: .status(429, retryAfter: "60"), random: lowest) == .seconds(60))
        #expect(standard.delay(beforeAttempt: 2, after: .status(503, retryAfter: "Tue, 14 Nov 2023 22:14:20 GMT"), now: now, random: lowest) == .seconds(60))
        #expect(standard.delay(beforeAttempt: 2, after: .status(500, retryAfter: "60"), random: lowest) == .seconds(4))
        #expect(standard.delay(beforeAttempt: 2, after: .status(429, retryAfter: "soon"), random: lowest) == .seconds(4))
        #expect(standard.delay(beforeAttempt: 2, after: .transportError("refused"), random: lowest) == .seconds(4))
        #expect(standard.delay(beforeAttempt: 9, after: .status(429, retryAfter: "60"), random: lowest) == nil)
    }

    // MARK: Legacy variables

    @Test func legacyScheduleFirstRetryWaitsBaseThenDoublesUpToMax() {
        let legacy = RetrySchedule.exponential(maxAttempts: 8, base: .milliseconds(500), max: .seconds(10))
        #expect(legacy.maxAttempts == 8)
        #expect(legacy.delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(legacy.description == "500ms,1s,2s,4s,8s,10s,10s")
        // The same numbers as Backoff's ceiling for the attempt that failed (k − 1).
        let backoff = Backoff(base: .milliseconds(500), cap: .seconds(10))
        for attempt in 2...8 { #expect(legacy.scheduledDelay(beforeAttempt: attempt) == backoff.ceiling(attempt: attempt - 1)) }
        // ±20 % like any schedule.
        #expect(legacy.delay(beforeAttempt: 2, random: lowest) == .milliseconds(400))
        #expect(legacy.delay(beforeAttempt: 8, random: highest) == .seconds(12))
    }

    @Test func legacyEdges() {
        #expect(RetrySchedule.exponential(maxAttempts: 1, base: .milliseconds(500), max: .seconds(60)).delays.isEmpty)
        #expect(RetrySchedule.exponential(maxAttempts: 3, base: .zero, max: .seconds(60)).delays == [.zero, .zero])
        #expect(RetrySchedule.exponential(maxAttempts: 3, base: .seconds(5), max: .seconds(1)).delays == [.seconds(1), .seconds(1)])
        #expect(RetrySchedule.exponential(maxAttempts: 1000, base: .milliseconds(1), max: .seconds(60)).maxAttempts == 101)
        let huge = RetrySchedule.exponential(maxAttempts: 101, base: .milliseconds(Int64.max), max: .milliseconds(Int64.max))
        #expect(huge.longestDelay == .milliseconds(Int64.max))
    }

    // MARK: SQS timing

    @Test(arguments: [
        (Duration.zero, 0), (.milliseconds(-5), 0), (.milliseconds(1), 1), (.milliseconds(999), 1), (.seconds(1), 1),
        (.milliseconds(1001), 2), (.seconds(900), 900), (.milliseconds(900_001), 900), (.seconds(901), 900),
        (.seconds(12 * 3600), 900), (.seconds(30 * 3600), 900),
    ])
    func sqsDelaySecondsRoundUpAndStopAtFifteenMinutes(delay: Duration, seconds: Int) {
        #expect(RetrySchedule.sqsDelaySeconds(for: delay) == seconds)
    }

    @Test(arguments: [
        (Duration.zero, 0), (.milliseconds(-5), 0), (.milliseconds(1), 1), (.seconds(900), 900), (.seconds(901), 901),
        (.milliseconds(43_198_001), 43_199), (.seconds(43_199), 43_199), (.seconds(12 * 3600), 43_199),
        (.seconds(30 * 3600), 43_199), (.milliseconds(Int64.max), 43_199),
    ])
    func visibilityRoundsUpAndStaysUnderTwelveHours(remaining: Duration, seconds: Int) {
        #expect(RetrySchedule.visibilityToHide(remaining: remaining) == seconds)
    }

    @Test func aThirtyHourDelayIsOneSendAndThreeHides() {
        // Send with 900 s, then hide on each receive until due: the receive count the retrier's
        // redrive policy must allow for.
        var remaining = Duration.seconds(30 * 3600) - .seconds(RetrySchedule.sqsDelaySeconds(for: .seconds(30 * 3600)))
        var hides = 0
        while case let hide = RetrySchedule.visibilityToHide(remaining: remaining), hide > 0 {
            hides += 1
            remaining -= .seconds(hide)
        }
        #expect(hides == 3)
        #expect(remaining == .zero)
    }
}
