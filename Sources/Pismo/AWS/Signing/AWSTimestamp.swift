import Foundation

/// A UTC instant with the two spellings SigV4 needs: `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd`.
/// Computed arithmetically (no DateFormatter, no locale) because it runs once per request.
public struct AWSTimestamp: Sendable, Equatable {
    public let secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    public init(_ date: Date) { self.secondsSince1970 = Int64(date.timeIntervalSince1970.rounded(.down)) }

    public static func now() -> AWSTimestamp { AWSTimestamp(Date()) }

    /// `20150830T123600Z`
    public var amzDate: String {
        let (y, m, d) = civilDate
        let secs = Int(((secondsSince1970 % 86_400) + 86_400) % 86_400)
        return Self.spell(16) { out, i in
            Self.digits(y, 4, &out, &i); Self.digits(m, 2, &out, &i); Self.digits(d, 2, &out, &i)
            out[i] = UInt8(ascii: "T"); i += 1
            Self.digits(secs / 3600, 2, &out, &i); Self.digits(secs / 60 % 60, 2, &out, &i); Self.digits(secs % 60, 2, &out, &i)
            out[i] = UInt8(ascii: "Z"); i += 1
        }
    }

    /// `20150830`, the credential-scope date.
    public var scopeDate: String {
        let (y, m, d) = civilDate
        return Self.spell(8) { out, i in
            Self.digits(y, 4, &out, &i); Self.digits(m, 2, &out, &i); Self.digits(d, 2, &out, &i)
        }
    }

    /// Parses `20150830T123600Z` or ISO 8601 `2015-08-30T12:36:00Z` (optionally with fractional seconds).
    public init?(parsing text: String) {
        let digits = text.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.map { Int($0 - 0x30) }
        guard digits.count >= 14, text.hasSuffix("Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int { digits[from..<from + count].reduce(0) { $0 * 10 + $1 } }
        let days = AWSTimestamp.daysFromCivil(number(0, 4), number(4, 2), number(6, 2))
        let secs = number(8, 2) * 3600 + number(10, 2) * 60 + number(12, 2)
        self.secondsSince1970 = Int64(days) * 86_400 + Int64(secs)
    }

    private var civilDate: (Int, Int, Int) {
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86_400 : (secondsSince1970 - 86_399) / 86_400
        return AWSTimestamp.civilFromDays(Int(days))
    }

    // Howard Hinnant's days <-> civil algorithms (proleptic Gregorian).
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// A String of exactly `count` ASCII bytes written by `write` (every request is signed: one
    /// allocation per spelling instead of one per field).
    static func spell(_ count: Int, _ write: (inout UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            var out = buffer
            var i = 0
            write(&out, &i)
            return i
        }
    }

    /// `value` in decimal, zero-padded to `width` digits (values here are never negative or wider).
    static func digits(_ value: Int, _ width: Int, _ out: inout UnsafeMutableBufferPointer<UInt8>, _ i: inout Int) {
        var rest = value
        for position in stride(from: i + width - 1, through: i, by: -1) {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        i += width
    }
}
