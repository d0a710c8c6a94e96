/// RFC 3339 `date-time`, `full-date`, `full-time` and Appendix A `duration`, checked on UTF-8
/// bytes without allocation (date-time is on the event hot path).
///
/// Leap seconds: `:60` is accepted only when the time, shifted to UTC by its offset, is 23:59:60
/// (we cannot know the leap-second table, so any date is allowed).
enum DateTimeFormats {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static func isDateTime(_ s: Bytes) -> Bool {
        guard s.count >= 20, s[10] | 0x20 == 0x74 else { return false }  // 'T' or 't'
        return dateAt(s, 0) && timeAt(s, 11, end: s.count)
    }

    static func isDate(_ s: Bytes) -> Bool { s.count == 10 && dateAt(s, 0) }

    static func isTime(_ s: Bytes) -> Bool { timeAt(s, 0, end: s.count) }

    @inline(__always)
    private static func digits(_ s: Bytes, _ at: Int, _ n: Int) -> Int? {
        var v = 0
        for i in at..<(at + n) {
            let d = s[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    private static func dateAt(_ s: Bytes, _ at: Int) -> Bool {
        guard s[at + 4] == 0x2D, s[at + 7] == 0x2D,
              let year = digits(s, at, 4), let month = digits(s, at + 5, 2), let day = digits(s, at + 8, 2),
              month >= 1, month <= 12, day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `partial-time time-offset` occupying exactly s[at..<end].
    private static func timeAt(_ s: Bytes, _ at: Int, end: Int) -> Bool {
        guard end - at >= 9, s[at + 2] == 0x3A, s[at + 5] == 0x3A,
              let hour = digits(s, at, 2), let minute = digits(s, at + 3, 2), let second = digits(s, at + 6, 2),
              hour <= 23, minute <= 59, second <= 60 else { return false }
        var i = at + 8
        if s[i] == 0x2E {
            i += 1
            let start = i
            while i < end, s[i] &- 0x30 < 10 { i += 1 }
            guard i > start, i < end else { return false }
        }
        var offsetMinutes = 0
        if s[i] | 0x20 == 0x7A {
            guard i + 1 == end else { return false }
        } else {
            guard s[i] == 0x2B || s[i] == 0x2D, end - i == 6, s[i + 3] == 0x3A,
                  let oh = digits(s, i + 1, 2), let om = digits(s, i + 4, 2), oh <= 23, om <= 59 else { return false }
            offsetMinutes = (oh * 60 + om) * (s[i] == 0x2B ? 1 : -1)
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    /// RFC 3339 Appendix A: P (date [time] | time | week); units appear in order without gaps.
    static func isDuration(_ s: Bytes) -> Bool {
        guard s.count >= 3, s[0] == 0x50 else { return false }
        var i = 1
        let dateUnits: [UInt8] = [0x59, 0x4D, 0x44]  // Y M D
        let timeUnits: [UInt8] = [0x48, 0x4D, 0x53]  // H M S
        if let (count, unit, next) = component(s, i), unit == 0x57 {  // W stands alone
            return count > 0 && next == s.count
        }
        guard let afterDate = units(s, &i, allowed: dateUnits) else { return false }
        if i == s.count { return afterDate > 0 }
        guard s[i] == 0x54 else { return false }
        i += 1
        guard let timeCount = units(s, &i, allowed: timeUnits), timeCount > 0 else { return false }
        return i == s.count
    }

    /// Parses a contiguous run of `allowed` units; returns how many, or nil on a gap/misorder.
    private static func units(_ s: Bytes, _ i: inout Int, allowed: [UInt8]) -> Int? {
        var expected: Int? = nil, count = 0
        while let (_, unit, next) = component(s, i) {
            guard let idx = allowed.firstIndex(of: unit) else { return nil }
            if let e = expected, idx != e { return nil }
            expected = idx + 1
            count += 1
            i = next
            if idx == allowed.count - 1 { break }
        }
        return count
    }

    /// `1*DIGIT unit` at i: (digit count, unit byte, index after unit), nil if no digits.
    private static func component(_ s: Bytes, _ at: Int) -> (Int, UInt8, Int)? {
        var i = at
        while i < s.count, s[i] &- 0x30 < 10 { i += 1 }
        guard i > at, i < s.count else { return nil }
        return (i - at, s[i], i + 1)
    }
}
