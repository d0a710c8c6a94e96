/// The attempts table's layout (`pismo-attempts`, written by the attempt log, read by
/// `pismo attempts`); part of the operator contract. One item per webhook attempt, deleted by
/// DynamoDB's TTL `PISMO_ATTEMPT_LOG_DAYS` after it was made.
public enum AttemptsTable {
    public static let clientID = "client_id"
    /// `<unix ms, 13 digits>#<event_id>#<endpoint_id>#<attempt>`: a client's attempts sort by time,
    /// so a Query with `attempt_key >= <since>` reads a time window in order.
    public static let attemptKey = "attempt_key"
    public static let eventID = "event_id", endpointID = "endpoint_id", attempt = "attempt"
    /// S, ISO 8601 UTC with milliseconds.
    public static let at = "at"
    /// N, only when an HTTP status was received.
    public static let status = "status"
    /// S, only when no status was (transport error, timeout, refused destination).
    public static let error = "error"
    public static let latencyMillis = "latency_ms"
    /// S, the first 1 KB of the response body as lossy UTF-8; absent when the body was empty.
    public static let response = "response"
    public static let delivered = "delivered"
    /// N, unix seconds: DynamoDB's TTL deletes the item after this.
    public static let expiresAt = "expires_at"

    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s), .init(attemptKey, .range, .s)]
    /// Digits of the time prefix: unix milliseconds stay 13 digits until the year 2286.
    static let timeDigits = 13

    /// The range key of `record`.
    public static func key(_ record: AttemptRecord) -> String {
        "\(timePrefix(record.atMillis))#\(record.eventID)#\(record.endpointID)#\(record.attempt)"
    }

    /// The zero-padded time that starts every key made at or after `millis`: the lower bound of a
    /// Query from that time.
    public static func timePrefix(_ millis: Int64) -> String {
        let digits = String(max(0, millis))
        return String(repeating: "0", count: max(0, timeDigits - digits.count)) + digits
    }

    /// The item for `record`, expiring `retentionDays` after the attempt.
    public static func row(_ record: AttemptRecord, retentionDays: Int) -> DynamoDBItem {
        var row: DynamoDBItem = [
            clientID: .s(record.clientID), attemptKey: .s(key(record)), eventID: .s(record.eventID),
            endpointID: .s(record.endpointID), attempt: .number(Int64(record.attempt)),
            at: .s(UTCTime.iso8601(millisecondsSince1970: record.atMillis)), latencyMillis: .number(record.latencyMillis),
            delivered: .bool(record.delivered),
            expiresAt: .number(record.atMillis / 1000 + Int64(retentionDays) * 86_400),
        ]
        if let code = record.status { row[status] = .number(Int64(code)) }
        if let message = record.error { row[error] = .s(message) }
        if !record.responseExcerpt.isEmpty { row[response] = .s(String(decoding: record.responseExcerpt, as: UTF8.self)) }
        return row
    }

    /// The record an item holds; nil when it is not one of ours (a key or a required attribute missing).
    public static func record(_ item: DynamoDBItem) -> AttemptRecord? {
        guard let client = item[clientID]?.string, let key = item[attemptKey]?.string,
              let event = item[eventID]?.string, let endpoint = item[endpointID]?.string,
              let number = item[attempt]?.int64 else { return nil }
        let millis = item[at]?.string.flatMap { UTCTime.millisecondsSince1970(iso8601: $0) }
            ?? Int64(key.prefix { $0 != "#" }) ?? 0
        return AttemptRecord(
            clientID: client, eventID: event, endpointID: endpoint, attempt: Int(number), atMillis: millis,
            status: item[status]?.int64.map { Int($0) }, error: item[error]?.string,
            latency: .milliseconds(item[latencyMillis]?.int64 ?? 0),
            responseExcerpt: Array((item[response]?.string ?? "").utf8), delivered: item[delivered]?.boolValue ?? false)
    }
}
