import Foundation
import Testing
@testable import Pismo

@Suite("UTC timestamps with milliseconds")
struct UTCTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_795_747_129_123, "2026-11-27T02:38:49.123Z"),
        (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),   // leap day, last millisecond
        (951_868_800_001, "2000-03-01T00:00:00.001Z"),     // the day after a 400-year leap day
        (-1, "1969-12-31T23:59:59.999Z"),                  // before the epoch: floor, not truncation
    ])
    func spellsMilliseconds(ms: Int64, expected: String) {
        #expect(UTCTime.iso8601(millisecondsSince1970: ms) == expected)
    }

    @Test func agreesWithFoundationOnWholeSeconds() throws {
        // Whole seconds avoid the binary-fraction rounding both sides may differ on by a millisecond.
        for seconds in stride(from: Int64(946_684_800), to: 4_102_444_800, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(UTCTime.iso8601(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
    }

    @Test func signingSpellingsStillMatch() {
        let t = AWSTimestamp(secondsSince1970: 1_795_747_129)
        #expect(t.amzDate == "20261127T023849Z")
        #expect(t.scopeDate == "20261127")
    }
}
