import Foundation

/// A UTC instant with the two spellings SigV4 needs: `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd`.
/// Computed arithmetically (no DateFormatter, no locale) because it runs once per request.
public struct AWSTimestamp: Sendable, Equatable {
    public let secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    /// Years 1…9999 (what the four-digit spellings can say); a date outside is clamped, never a trap.
    public static let range: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    public init(_ date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        self.secondsSince1970 = seconds.isNaN ? 0 : Int64(min(max(seconds, Double(Self.range.lowerBound)), Double(Self.range.upperBound)))
    }

    public static func now() -> AWSTimestamp { AWSTimestamp(Date()) }

    /// `20150830T123600Z`
    public var amzDate: String {
        let (y, m, d) = civilDate
        let secs = Int(((spelled % 86_400) + 86_400) % 86_400)
        return CivilTime.spell(16) { out, i in
            CivilTime.digits(y, 4, &out, &i); CivilTime.digits(m, 2, &out, &i); CivilTime.digits(d, 2, &out, &i)
            out[i] = UInt8(ascii: "T"); i += 1
            CivilTime.digits(secs / 3600, 2, &out, &i); CivilTime.digits(secs / 60 % 60, 2, &out, &i); CivilTime.digits(secs % 60, 2, &out, &i)
            out[i] = UInt8(ascii: "Z"); i += 1
        }
    }

    /// `20150830`, the credential-scope date.
    public var scopeDate: String {
        let (y, m, d) = civilDate
        return CivilTime.spell(8) { out, i in
            CivilTime.digits(y, 4, &out, &i); CivilTime.digits(m, 2, &out, &i); CivilTime.digits(d, 2, &out, &i)
        }
    }

    /// Parses `20150830T123600Z` or ISO 8601 `2015-08-30T12:36:00Z` (optionally with fractional seconds).
    public init?(parsing text: String) {
        let digits = text.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.map { Int($0 - 0x30) }
        guard digits.count >= 14, text.hasSuffix("Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int { digits[from..<from + count].reduce(0) { $0 * 10 + $1 } }
        let days = CivilTime.daysFromCivil(number(0, 4), number(4, 2), number(6, 2))
        let secs = number(8, 2) * 3600 + number(10, 2) * 60 + number(12, 2)
        self.secondsSince1970 = Int64(days) * 86_400 + Int64(secs)
    }

    /// Clamped to `range` for spelling.
    private var spelled: Int64 { min(max(secondsSince1970, Self.range.lowerBound), Self.range.upperBound) }

    private var civilDate: (Int, Int, Int) {
        let secondsSince1970 = spelled
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86_400 : (secondsSince1970 - 86_399) / 86_400
        return CivilTime.civilFromDays(Int(days))
    }
}
