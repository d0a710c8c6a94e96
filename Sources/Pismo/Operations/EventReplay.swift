import Foundation

/// `pismo replay`: re-deliver stored events from the Events table through the retry path — one
/// `PendingRetry` (attempt 1, due now) per event in the retry queue, which `pismo deliver` works as
/// any retry (breaker, backoff, dead letters). Selected by `received_at` in [since, until), and
/// optionally by client (one Query) and event type; without a client, a parallel Scan.
///
/// Interrupting it leaves what was sent in the queue; running it again sends the whole range again.
/// Every attempt of an event carries the same `webhook-id`, so receivers that deduplicate see it once.
public struct EventReplay: Sendable {
    public struct Selection: Sendable, Equatable {
        public var sinceMillis: Int64
        public var untilMillis: Int64?
        public var clientID: String?
        public var eventType: String?

        public init(sinceMillis: Int64, untilMillis: Int64? = nil, clientID: String? = nil, eventType: String? = nil) {
            self.sinceMillis = sinceMillis
            self.untilMillis = untilMillis
            self.clientID = clientID
            self.eventType = eventType
        }

        var range: StoredEventRange {
            StoredEventRange(fromMillis: sinceMillis, untilMillis: untilMillis, clientID: clientID, eventType: eventType)
        }
    }

    public enum SelectionError: Error, CustomStringConvertible, Equatable {
        case emptyWindow(since: Int64, until: Int64)
        case emptyName(String)

        public var description: String {
            switch self {
            case let .emptyWindow(since, until):
                return "--until (\(UTCTime.iso8601(millisecondsSince1970: until))) must be after --since (\(UTCTime.iso8601(millisecondsSince1970: since)))"
            case let .emptyName(flag):
                return "\(flag) must not be empty"
            }
        }
    }

    public let resender: StoredEventResender

    public init(resender: StoredEventResender) {
        self.resender = resender
    }

    public static func check(_ selection: Selection) throws(SelectionError) {
        if let until = selection.untilMillis, until <= selection.sinceMillis {
            throw .emptyWindow(since: selection.sinceMillis, until: until)
        }
        if selection.clientID?.isEmpty == true { throw .emptyName("--client") }
        if selection.eventType?.isEmpty == true { throw .emptyName("--event-type") }
    }

    /// Sends (or, `dryRun`, only counts) the selected events; `progress` gets the running count.
    /// Returns the final count.
    public func run(_ selection: Selection, dryRun: Bool = false,
                    progress: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> Int {
        try Self.check(selection)
        return try await resender.resend(selection.range, dryRun: dryRun, progress: progress)
    }
}
