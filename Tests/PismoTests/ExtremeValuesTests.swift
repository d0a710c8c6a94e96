import Foundation
import Testing
import Transport
@testable import Pismo

/// No arithmetic trap is reachable from input (issue 15, part 6): every value below comes from
/// outside — a `Date` header, a `Retry-After`, a retry message anyone with SendMessage can write, an
/// environment variable — and each once overflowed (or could overflow) an Int64. The test passing
/// at all is half the point: a trap kills the test process.
@Suite struct ExtremeValuesTests {
    @Test func httpDatesWithOverflowingFieldsAreIgnored() {
        #expect(AWSClock.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        for header in ["Sun, 06 Nov 1994 9999999999999999:49:37 GMT", "Sun, 06 Nov 999999999999999999 08:49:37 GMT",
                       "Sun, 9223372036854775807 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:-5:37 GMT",
                       "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov -1994 08:49:37 GMT"] {
            #expect(AWSClock.parseHTTPDate(header) == nil, "\(header)")
        }
        let clock = AWSClock(wallClock: { 1_700_000_000 })
        #expect(!clock.observe(serverDate: "Sun, 06 Nov 1994 9999999999999999:49:37 GMT"))
        #expect(clock.skew == 0)
    }

    @Test func timestampsOfAnyDateSpellWithoutTrapping() {
        for seconds in [1e300, -1e300, .infinity, -.infinity, .nan, 9.3e18, -9.3e18] {
            let stamp = AWSTimestamp(Date(timeIntervalSince1970: seconds))
            #expect(stamp.amzDate.count == 16)
            #expect(UTCTime.iso8601(Date(timeIntervalSince1970: seconds)).count == 24)
        }
        #expect(AWSTimestamp(secondsSince1970: .min).amzDate == "00010101T000000Z")
        #expect(AWSTimestamp(secondsSince1970: .max).amzDate == "99991231T235959Z")
        #expect(UTCTime.iso8601(millisecondsSince1970: .max) == "9999-12-31T23:59:59.999Z")
        #expect(UTCTime.iso8601(millisecondsSince1970: .min) == "0001-01-01T00:00:00.000Z")
        #expect(AWSTimestamp(parsing: "99999999T999999Z") != nil)  // fixed-width fields: garbage, not a trap
    }

    @Test func retryAfterIsClampedWhateverTheEndpointSays() {
        let year = DeliveryPolicy.longestRetryAfter
        #expect(DeliveryPolicy.parseRetryAfter("120") == .seconds(120))
        #expect(DeliveryPolicy.parseRetryAfter("9223372036854775807") == year)
        #expect(DeliveryPolicy.parseRetryAfter(String(repeating: "9", count: 400)) == year)
        #expect(DeliveryPolicy.parseRetryAfter("-5") == nil)
        let farFuture = DeliveryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(farFuture == year)
        let schedule = RetrySchedule.standard
        let delay = schedule.delay(beforeAttempt: 2, after: .status(503, retryAfter: "99999999999999999999999"), random: { _ in 1 })
        #expect(delay == schedule.longestDelay, "an honoured Retry-After is capped at the schedule's longest delay")
    }

    @Test func durationsInSettingsHaveCeilings() throws {
        #expect(throws: RetrySchedule.ParseError.self) { try RetrySchedule.parseDuration("9223372036854775807ms") }
        #expect(throws: RetrySchedule.ParseError.self) { try RetrySchedule.parseDuration("3651d") }
        #expect(try RetrySchedule.parseDuration("3650d") == .seconds(3_650 * 86_400))
        for (name, value) in [("PISMO_DELIVERY_TIMEOUT_MS", "9223372036854775807"), ("PISMO_DELIVERY_TIMEOUT_MS", "3600001"),
                              ("PISMO_RETRY_BASE_MS", "9223372036854775807"), ("PISMO_RETRY_MAX_MS", "99999999999999999999"),
                              ("PISMO_MAX_ATTEMPTS", "9223372036854775807"), ("PISMO_DISABLE_AFTER", "9999999999999d")] {
            #expect(throws: PismoSettings.InvalidValue.self, "\(name)=\(value)") { try PismoSettings.fromEnvironment([name: value]) }
        }
        // The longest schedule the settings accept still has room for the engine's arithmetic on it
        // (its lifetime: total × 1.2 in milliseconds, plus the probe interval).
        let longest = try PismoSettings.fromEnvironment(["PISMO_RETRY_SCHEDULE": Array(repeating: "3650d", count: 100).joined(separator: ",")])
        #expect(longest.retrySchedule.total.seconds * 1.2 * 1000 < Double(Int64.max) / 2)
    }

    @Test func retryMessagesWithOutOfRangeNumbersAreUnreadable() {
        func body(attempt: String = "2", first: String = "1700000000000", due: String = "1700000005000", deferrals: String = "0") -> String {
            #"{"v":1,"client_id":"c","event_key":"k","event_id":"e","endpoint":"default","attempt":\#(attempt),"#
                + #""first_attempt_at":\#(first),"due_at":\#(due),"deferrals":\#(deferrals)}"#
        }
        #expect(PendingRetry(json: body()) != nil)
        #expect(PendingRetry(json: body(attempt: "9223372036854775807")) == nil)
        #expect(PendingRetry(json: body(first: "-9223372036854775808")) == nil)
        #expect(PendingRetry(json: body(due: "9223372036854775807")) == nil)
        #expect(PendingRetry(json: body(deferrals: "9223372036854775807")) == nil)
    }
}

/// A failing credential source is asked again only once its backoff has passed (L7).
@Suite struct CredentialRefreshBackoffTests {
    final class DownSource: AWSCredentialProvider {
        let calls = Locked(0)
        var name: String { "down" }
        func resolve() async throws -> AWSCredentials? {
            calls.withLock { $0 += 1 }
            throw CredentialError("IMDS unreachable")
        }
    }

    @Test func aFailingRefreshIsNotRetriedByEveryCall() async throws {
        let source = DownSource()
        let now = Locked(ContinuousClock.now)
        let cache = CachedCredentialProvider(source, monotonic: { now.withLock { $0 } })
        for _ in 0..<50 { _ = try? await cache.credentials() }
        #expect(source.calls.withLock { $0 } == 1, "fifty calls, one fetch: the rest get the last error at once")
        await #expect(throws: CredentialError.self) { try await cache.credentials() }
        now.withLock { $0 += .seconds(61) }  // past the longest backoff
        _ = try? await cache.credentials()
        #expect(source.calls.withLock { $0 } == 2)
        for _ in 0..<50 { _ = try? await cache.credentials() }
        #expect(source.calls.withLock { $0 } == 2)
    }
}

@Suite struct BoundsSettingsTests {
    @Test func routeCacheBoundsAreRead() throws {
        let s = try PismoSettings.fromEnvironment(["PISMO_ROUTE_CACHE_SIZE": "1000", "PISMO_ROUTE_LOOKUPS_PER_SECOND": "20"])
        #expect(s.routeCacheSize == 1000)
        #expect(s.unknownRouteLookupsPerSecond == 20)
        #expect(PismoSettings().routeCacheSize == 50_000)
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["PISMO_ROUTE_CACHE_SIZE": "0"]) }
    }
}
