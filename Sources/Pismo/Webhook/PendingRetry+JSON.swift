import PismoJSON

/// The retry message's body: `{"v":1,"client_id":…,"event_key":…,"event_id":…,"endpoint":…,
/// "attempt":2,"first_attempt_at":…,"due_at":…,"last_status":503}` (times in unix milliseconds).
extension PendingRetry {
    public static let formatVersion = 1
    /// Ceilings for numbers read back (far beyond any schedule: at most 101 attempts).
    static let maxAttempt = 10_000
    static let maxDeferrals = 1_000_000

    public var json: String {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.key("v"); w.int(Self.formatVersion)
        w.key("client_id"); w.string(clientID)
        w.key("event_key"); w.string(eventKey)
        w.key("event_id"); w.string(eventID)
        w.key("endpoint"); w.string(endpointID)
        w.key("attempt"); w.int(attempt)
        w.key("first_attempt_at"); w.int(Int(firstAttemptAtMillis))
        w.key("due_at"); w.int(Int(dueAtMillis))
        if let lastStatus { w.key("last_status"); w.int(lastStatus) }
        if deferrals > 0 { w.key("deferrals"); w.int(deferrals) }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// nil for anything that is not a retry message this version wrote.
    public init?(json: String) {
        guard let document = try? JSONDocument(json), document.root["v"]?.int == Self.formatVersion,
              let client = document.root["client_id"]?.string, let key = document.root["event_key"]?.string,
              let id = document.root["event_id"]?.string, let endpoint = document.root["endpoint"]?.string,
              let attempt = document.root["attempt"]?.int, (1...Self.maxAttempt).contains(attempt),
              let first = document.root["first_attempt_at"]?.int64, UTCTime.millisecondsRange.contains(first),
              let due = document.root["due_at"]?.int64, UTCTime.millisecondsRange.contains(due)
        else { return nil }
        let deferrals = document.root["deferrals"]?.int ?? 0
        // Anyone allowed to send to the queue can write these numbers: out-of-range ones would
        // overflow the attempt and time arithmetic, so the message is unreadable instead.
        guard (0...Self.maxDeferrals).contains(deferrals) else { return nil }
        self.init(clientID: client, eventKey: key, eventID: id, endpointID: endpoint, attempt: attempt,
                  firstAttemptAtMillis: first, dueAtMillis: due, lastStatus: document.root["last_status"]?.int,
                  deferrals: deferrals)
    }
}
