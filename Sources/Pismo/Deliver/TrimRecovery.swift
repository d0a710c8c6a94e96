import Foundation
import Logging

/// What a shard worker does when the stream has trimmed records it never read (deliver was away for
/// longer than the stream's 24 h retention): name the gap in an error log line, count it, and resend
/// the gap from the Events table through the retry path, so nothing trimmed is lost.
///
/// The gap is every event received from the shard's `resolved_through` to the moment reading resumes
/// at the horizon, each end widened by `margin`; so it overlaps what the stream still holds: those
/// events may be delivered twice, with the same `webhook-id` (at least once, as everywhere). The table holds every shard's events, so the
/// gap of one shard resends the other shards' events of that time too.
public struct TrimRecovery: Sendable {
    public var resender: StoredEventResender
    public var metrics: StreamMetrics?
    /// `received_at` is the processor's clock and the stream lags the table: start this much earlier.
    public var margin: Duration

    public init(resender: StoredEventResender, metrics: StreamMetrics? = nil, margin: Duration = .seconds(60)) {
        self.resender = resender
        self.metrics = metrics
        self.margin = margin
    }

    /// Logs and counts one trim of `shardID` whose resolved records end at `resolvedThroughMillis`.
    func report(shardID: String, resolvedThroughMillis: Int64?, nowMillis: Int64, logger: Logger) {
        metrics?.trimmed.increment()
        var metadata: Logger.Metadata = ["shard": "\(shardID)", "gap_until": "\(UTCTime.iso8601(millisecondsSince1970: nowMillis))"]
        if let from = resolvedThroughMillis {
            metadata["gap_from"] = "\(UTCTime.iso8601(millisecondsSince1970: from))"
            logger.error("stream records were trimmed before they were read: replaying the gap from the Events table", metadata: metadata)
        } else {
            // A lease row written before `resolved_through` existed: there is no start to replay from.
            metadata["gap_from"] = "unknown"
            logger.error("stream records were trimmed before they were read, and the lease row does not say since when: run pismo replay --since <when deliver stopped>",
                         metadata: metadata)
        }
    }

    /// Resends the events received in [`fromMillis`, `untilMillis`), widened by `margin` at both
    /// ends; returns once every retry message is durably queued.
    func replay(fromMillis: Int64, untilMillis: Int64, shardID: String, logger: Logger,
                progress: @escaping @Sendable (Int) async -> Void) async throws -> Int {
        let widen = Int64(margin.components.seconds * 1000)
        let range = StoredEventRange(fromMillis: fromMillis - widen, untilMillis: untilMillis + widen)
        let sent = try await resender.resend(range, progress: progress)
        logger.notice("trimmed gap replayed through the retry queue", metadata: [
            "shard": "\(shardID)", "gap_from": "\(UTCTime.iso8601(millisecondsSince1970: range.fromMillis))",
            "gap_until": "\(UTCTime.iso8601(millisecondsSince1970: range.untilMillis!))", "events": "\(sent)"])
        return sent
    }
}
