import Foundation

/// ISO 8601 UTC with milliseconds (`2026-11-27T02:38:49.123Z`), the spelling of `received_at`,
/// log lines and the sink's receipt times. Arithmetic (`CivilTime`): Foundation's
/// `ISO8601FormatStyle` goes through a calendar on every call, and the processor stamps every event.
public enum UTCTime {
    public static func iso8601(_ date: Date) -> String {
        iso8601(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public static func iso8601(millisecondsSince1970 ms: Int64) -> String {
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
