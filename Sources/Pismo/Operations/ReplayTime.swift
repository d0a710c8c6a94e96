import Foundation

/// The times `pismo replay` accepts: RFC 3339 (`2026-12-01T09:00:00Z`, `2026-12-01T11:00:00.5+02:00`)
/// or a span before now (`90m`, `2h`, `3d`; units `ms`, `s`, `m`, `h`, `d`).
public enum ReplayTime {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Unix milliseconds.
    public static func parse(_ text: String, now: Date = Date()) throws(ParseError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = rfc3339(trimmed) { return UTCTime.millisecondsSince1970(date) }
        if let first = trimmed.first, first.isNumber, !trimmed.contains("-"), !trimmed.contains(":"),
           let span = try? RetrySchedule.parseDuration(trimmed) {
            return UTCTime.millisecondsSince1970(now) - span.wholeMilliseconds
        }
        throw ParseError(description: "'\(text)' is not a time: use RFC 3339 (2026-12-01T09:00:00Z, 2026-12-01T11:00:00+02:00) or a span before now (30m, 2h, 3d)")
    }

    private static func rfc3339(_ text: String) -> Date? {
        // RFC 3339 allows a space or a lower-case t between date and time.
        var normalized = text
        if normalized.count > 10, let index = normalized.index(normalized.startIndex, offsetBy: 10, limitedBy: normalized.endIndex),
           normalized[index] == " " || normalized[index] == "t" {
            normalized.replaceSubrange(index...index, with: "T")
        }
        normalized = normalized.replacingOccurrences(of: "z", with: "Z")
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: normalized) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: normalized)
    }
}
