import Transport
import Foundation

/// Wall clock for signing, corrected by the skew learned from server `Date` headers: a request
/// signed with a clock more than 5 minutes off is refused (`RequestTimeTooSkewed`,
/// `InvalidSignatureException`), so once a response shows the skew we sign with server time.
/// Thread-safe; one per process is enough (shared by all clients).
public final class AWSClock: Sendable {
    private let wallClock: @Sendable () -> Int64
    private let skewSeconds = Locked<Int64>(0)
    /// The last `Date` header seen: responses within one second repeat it, and re-parsing it cannot
    /// change a correction that only moves in steps of `skewThreshold` (60 s).
    private let lastHeader = Locked<String?>(nil)
    /// Below this the difference is noise (network latency, second rounding): not corrected.
    public static let skewThreshold: Int64 = 60

    public init(wallClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.wallClock = wallClock
    }

    public var skew: Int64 { skewSeconds.withLock { $0 } }

    public func now() -> AWSTimestamp { AWSTimestamp(secondsSince1970: wallClock() + skew) }

    /// Records the server's time from a `Date` header; returns true when the correction changed.
    @discardableResult
    public func observe(serverDate header: String?) -> Bool {
        guard let header else { return false }
        if lastHeader.withLock({ last in defer { last = header }; return last == header }) { return false }
        guard let server = Self.parseHTTPDate(header) else { return false }
        let measured = server - wallClock()
        return skewSeconds.withLock { skew in
            let newSkew = abs(measured) >= Self.skewThreshold ? measured : 0
            guard newSkew != skew else { return false }
            // Keep small jitter from flapping the value: only change when it moved by > threshold.
            if abs(newSkew - skew) < Self.skewThreshold { return false }
            skew = newSkew
            return true
        }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form servers send today. Every field
    /// is range-checked before any arithmetic: the header comes from whatever answered (a proxy, a
    /// local endpoint), and a 16-digit hour once overflowed `hour * 3600`.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let day = Int(parts[1]), (1...31).contains(day),
              let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), (1...9999).contains(year) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (0...23).contains(hms[0]), (0...59).contains(hms[1]), (0...60).contains(hms[2]) else { return nil }
        let days = CivilTime.daysFromCivil(year, monthIndex + 1, day)
        return Int64(days) * 86_400 + Int64(hms[0] * 3600 + hms[1] * 60 + hms[2])
    }
}
