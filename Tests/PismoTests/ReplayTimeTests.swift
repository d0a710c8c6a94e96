import Foundation
import Testing
@testable import Pismo

@Suite struct ReplayTimeTests {
    let now = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z

    @Test func rfc3339WithAndWithoutFractionsAndOffsets() throws {
        #expect(try ReplayTime.parse("2026-12-01T00:00:00Z") == 1_796_083_200_000)
        #expect(try ReplayTime.parse("2026-12-01T00:00:00.250Z") == 1_796_083_200_250)
        #expect(try ReplayTime.parse("2026-12-01T02:00:00+02:00") == 1_796_083_200_000)
        #expect(try ReplayTime.parse("2026-12-01 00:00:00z") == 1_796_083_200_000)
    }

    @Test func spansBeforeNow() throws {
        #expect(try ReplayTime.parse("2h", now: now) == 1_796_083_200_000 - 7_200_000)
        #expect(try ReplayTime.parse("90m", now: now) == 1_796_083_200_000 - 5_400_000)
        #expect(try ReplayTime.parse("3d", now: now) == 1_796_083_200_000 - 259_200_000)
    }

    @Test func anythingElseIsRefusedWithTheFormsItAccepts() {
        for text in ["", "yesterday", "2026-12-01", "2026-13-01T00:00:00Z", "-2h", "2 hours"] {
            #expect(throws: ReplayTime.ParseError.self, "\(text)") { try ReplayTime.parse(text, now: now) }
        }
    }

    @Test func aSelectionMustBeAWindow() {
        #expect(throws: EventReplay.SelectionError.self) { try EventReplay.check(.init(fromMillis: 10, untilMillis: 10)) }
        #expect(throws: EventReplay.SelectionError.self) { try EventReplay.check(.init(fromMillis: 10, clientID: "")) }
        #expect(throws: Never.self) { try EventReplay.check(.init(fromMillis: 10, untilMillis: 11, clientID: "a", eventType: "t")) }
    }

    @Test func receivedAtReadsBackWhatItWrote() {
        for ms: Int64 in [0, 1_796_083_200_123, 4_102_444_799_999] {
            #expect(UTCTime.millisecondsSince1970(iso8601: UTCTime.iso8601(millisecondsSince1970: ms)) == ms)
        }
        #expect(UTCTime.millisecondsSince1970(iso8601: "now") == nil)
        #expect(UTCTime.millisecondsSince1970(iso8601: "2026-12-01T00:00:00Z") == nil)
    }
}
