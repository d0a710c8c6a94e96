import Foundation
import Transport

/// Puts stored events back on the retry path: one `PendingRetry` per event (attempt 1, due now) in
/// the retry queue, so the retry worker reads each back, delivers it, and the breaker, backoff and
/// dead letters apply as to any retry. What it sends is a reference, so a resend costs one small
/// message per event whatever the payloads.
///
/// At least once: running it again over the same range sends again; each attempt carries the event's
/// own `webhook-id`, so receivers that deduplicate see one event. It returns only once every message
/// is durably in the queue, which is what lets a caller record the range as done.
public struct StoredEventResender: Sendable {
    public var ranges: any StoredEventRanges
    public var retries: any RetryScheduler
    /// Parts of the table read at once (a parallel Scan's TotalSegments).
    public var segments: Int
    /// Retry messages being sent at once, per part.
    public var sendsPerSegment: Int
    public var now: @Sendable () -> Date

    public init(ranges: any StoredEventRanges, retries: any RetryScheduler, segments: Int = 4, sendsPerSegment: Int = 8,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.ranges = ranges
        self.retries = retries
        self.segments = max(1, segments)
        self.sendsPerSegment = max(1, sendsPerSegment)
        self.now = now
    }

    /// Resends every event in `range` (only counts them when `dryRun`); `progress` gets the running
    /// total after each page. Returns how many were sent (or counted). Throws at the first failure
    /// to read or send: what was sent stays sent, and running it again resends the whole range.
    @discardableResult
    public func resend(_ range: StoredEventRange, dryRun: Bool = false,
                       progress: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> Int {
        let total = Locked(0)
        let parts = ranges.segments(for: range, wanted: segments)
        try await withThrowingDiscardingTaskGroup { group in
            for segment in 0..<parts {
                group.addTask { [self] in
                    try await ranges.references(range, segment: segment, of: parts) { page in
                        if !dryRun { try await send(page) }
                        let sum = total.withLock { $0 += page.count; return $0 }
                        await progress(sum)
                    }
                }
            }
        }
        return total.withLock { $0 }
    }

    private func send(_ page: [StoredEventReference]) async throws {
        let nowMillis = UTCTime.millisecondsSince1970(now())
        var start = 0
        while start < page.count {
            let slice = page[start..<min(start + sendsPerSegment, page.count)]
            try await withThrowingDiscardingTaskGroup { group in
                for event in slice {
                    let retry = PendingRetry(clientID: event.clientID, eventKey: event.eventKey, eventID: event.eventID,
                                             endpointID: PendingRetry.allEndpoints, attempt: 1, firstAttemptAtMillis: nowMillis, dueAtMillis: nowMillis)
                    group.addTask { try await retries.schedule(retry, delay: .zero) }
                }
            }
            start += sendsPerSegment
        }
    }
}
