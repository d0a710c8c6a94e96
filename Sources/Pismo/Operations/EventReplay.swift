import Foundation

/// `pismo replay`: re-deliver stored events from the Events table through the retry path — one
/// `PendingRetry` (attempt 1, due now) per event in the retry queue, which `pismo deliver` works as
/// any retry (breaker, backoff, dead letters). Selected by `received_at` in [since, until), and
/// optionally by client (one Query) and event type; without a client, a parallel Scan.
///
/// Interrupting it leaves what was sent in the queue; running it again sends the whole range again.
/// Every attempt of an event carries the same `webhook-id`, so receivers that deduplicate see it once.
public struct EventReplay: Sendable {
    /// What to replay: `received_at` in [from, until), optionally one client and one event type.
    public typealias Selection = StoredEventRange

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
        if let until = selection.untilMillis, until <= selection.fromMillis {
            throw .emptyWindow(since: selection.fromMillis, until: until)
        }
        if selection.clientID?.isEmpty == true { throw .emptyName("--client") }
        if selection.eventType?.isEmpty == true { throw .emptyName("--event-type") }
    }

    /// Sends (or, `dryRun`, only counts) the selected events; `progress` gets the running count.
    /// Returns the final count.
    public func run(_ selection: Selection, dryRun: Bool = false,
                    progress: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> Int {
        try Self.check(selection)
        return try await resender.resend(selection, dryRun: dryRun, progress: progress)
    }
}
