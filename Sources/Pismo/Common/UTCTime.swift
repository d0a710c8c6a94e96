import Foundation

/// ISO 8601 UTC with milliseconds (`2026-11-27T02:38:49.123Z`), the spelling of `received_at`,
/// log lines and the sink's receipt times. Arithmetic (`CivilTime`): Foundation's
/// `ISO8601FormatStyle` goes through a calendar on every call, and the processor stamps every event.
public enum UTCTime {
    public static func iso8601(_ date: Date) -> String {
        iso8601(millisecondsSince1970: millisecondsSince1970(date))
    }

    /// Unix ms of 0001-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z, what the spelling can say:
    /// values from outside (a retry message, a lease row) are clamped to it, never trap.
    public static let millisecondsRange: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    public static func iso8601(millisecondsSince1970 unclamped: Int64) -> String {
        let ms = min(max(unclamped, millisecondsRange.lowerBound), millisecondsRange.upperBound)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000   // floor, so the millisecond part is never negative
        let millis = Int(ms - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secs = Int(seconds - days * 86_400)
        let (y, m, d) = CivilTime.civilFromDays(Int(days))
        return CivilTime.spell(24) { out, i in
            CivilTime.digits(y, 4, &out, &i); dash(&out, &i, "-")
            CivilTime.digits(m, 2, &out, &i); dash(&out, &i, "-")
            CivilTime.digits(d, 2, &out, &i); dash(&out, &i, "T")
            CivilTime.digits(secs / 3600, 2, &out, &i); dash(&out, &i, ":")
            CivilTime.digits(secs / 60 % 60, 2, &out, &i); dash(&out, &i, ":")
            CivilTime.digits(secs % 60, 2, &out, &i); dash(&out, &i, ".")
            CivilTime.digits(millis, 3, &out, &i); dash(&out, &i, "Z")
        }
    }

    private static func dash(_ out: inout UnsafeMutableBufferPointer<UInt8>, _ i: inout Int, _ separator: Unicode.Scalar) {
        out[i] = UInt8(ascii: separator)
        i += 1
    }
}

extension UTCTime {
    /// `date` in whole unix milliseconds (rounded down): the unit of due times, leases and `resolved_through`.
    /// Clamped to `millisecondsRange` (a Date from a parsed header can be anything a Double holds).
    public static func millisecondsSince1970(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard !ms.isNaN else { return 0 }
        return Int64(min(max(ms, Double(millisecondsRange.lowerBound)), Double(millisecondsRange.upperBound)))
    }

    /// Reads back exactly what `iso8601` writes (`2026-11-27T02:38:49.123Z`); nil for anything else.
    /// The stream path reads every record's `received_at` with it, so it is arithmetic, not a formatter.
    public static func millisecondsSince1970(iso8601 text: String) -> Int64? {
        var text = text
        return text.withUTF8 { millisecondsSince1970(iso8601: $0) }
    }

    private static func millisecondsSince1970(iso8601 b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ from: Int, _ width: Int) -> Int? {
            var value = 0
            for byte in b[from..<from + width] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let s = number(17, 2), let ms = number(20, 3),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        let days = Int64(CivilTime.daysFromCivil(y, mo, d))
        return ((days * 86_400 + Int64(h * 3600 + mi * 60 + s)) * 1000) + Int64(ms)
    }
}
