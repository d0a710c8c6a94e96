/// Calendar arithmetic on UTC days and the fixed-width ASCII spellings built from it, shared by the
/// SigV4 timestamps (`AWSTimestamp`) and `UTCTime`. Arithmetic rather than Foundation's calendars:
/// it runs once per signed request and once per stored event.
public enum CivilTime {
    // Howard Hinnant's days <-> civil algorithms (proleptic Gregorian).
    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
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

    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// A String of exactly `count` ASCII bytes written by `write` (every request is signed: one
    /// allocation per spelling instead of one per field).
    public static func spell(_ count: Int, _ write: (inout UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            var out = buffer
            var i = 0
            write(&out, &i)
            return i
        }
    }

    /// `value` in decimal, zero-padded to `width` digits (values here are never negative or wider).
    public static func digits(_ value: Int, _ width: Int, _ out: inout UnsafeMutableBufferPointer<UInt8>, _ i: inout Int) {
        var rest = value
        for position in stride(from: i + width - 1, through: i, by: -1) {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        i += width
    }
}
