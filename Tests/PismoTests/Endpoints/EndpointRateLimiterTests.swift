import Testing
@testable import Pismo

@Suite struct EndpointRateLimiterTests {
    let start = ContinuousClock.now

    @Test func aBurstOfOneSecondsWorthGoesAtOnceThenTokensArriveAtTheRate() {
        let limiter = EndpointRateLimiter()
        for _ in 0..<4 {
            #expect(limiter.reserve("a/x", ratePerSecond: 4, maxWait: .seconds(1), now: start) == .wait(.zero))
        }
        // The fifth waits one interval (250 ms), the sixth two.
        #expect(limiter.reserve("a/x", ratePerSecond: 4, maxWait: .seconds(1), now: start) == .wait(.milliseconds(250)))
        #expect(limiter.reserve("a/x", ratePerSecond: 4, maxWait: .seconds(1), now: start) == .wait(.milliseconds(500)))
        // Time refills the bucket.
        #expect(limiter.reserve("a/x", ratePerSecond: 4, maxWait: .seconds(1), now: start + .seconds(10)) == .wait(.zero))
    }

    @Test func aBacklogLongerThanTheWaitAllowedTakesNothing() {
        let limiter = EndpointRateLimiter()
        #expect(limiter.reserve("a/x", ratePerSecond: 0.5, maxWait: .seconds(1), now: start) == .wait(.zero))
        // The next token is 2 s away: beyond 1 s, so nothing is reserved (asking again answers the same).
        #expect(limiter.reserve("a/x", ratePerSecond: 0.5, maxWait: .seconds(1), now: start) == .backlog(.seconds(2)))
        #expect(limiter.reserve("a/x", ratePerSecond: 0.5, maxWait: .seconds(1), now: start) == .backlog(.seconds(2)))
        #expect(limiter.reserve("a/x", ratePerSecond: 0.5, maxWait: .seconds(1), now: start + .seconds(2)) == .wait(.zero))
    }

    @Test func endpointsHaveTheirOwnBuckets() {
        let limiter = EndpointRateLimiter()
        #expect(limiter.reserve("a/x", ratePerSecond: 1, maxWait: .zero, now: start) == .wait(.zero))
        #expect(limiter.reserve("a/x", ratePerSecond: 1, maxWait: .zero, now: start) == .backlog(.seconds(1)))
        #expect(limiter.reserve("a/y", ratePerSecond: 1, maxWait: .zero, now: start) == .wait(.zero))
        #expect(limiter.reserve("b/x", ratePerSecond: 1, maxWait: .zero, now: start) == .wait(.zero))
    }

    @Test func idleBucketsAreForgottenSoRandomKeysCannotGrowItForEver() {
        let limiter = EndpointRateLimiter(pruneAbove: 100)
        for i in 0..<10_000 {
            _ = limiter.reserve("k\(i)", ratePerSecond: 1000, maxWait: .zero, now: start + .seconds(i))
        }
        #expect(limiter.bucketCount <= 101)
    }
}
