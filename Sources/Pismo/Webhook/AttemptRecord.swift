/// One webhook attempt as the attempt log keeps it: what was tried, when, and what the endpoint
/// answered — so "did event X reach us, and what did we answer?" has an answer for 30 days.
public struct AttemptRecord: Sendable, Equatable {
    /// The response body kept per attempt: enough to read an error page's message, small enough that
    /// a failing endpoint's answers cannot fill the table.
    public static let maxResponseExcerptBytes = 1024

    public var clientID: String
    public var eventID: String
    public var endpointID: String
    /// 1 for the first attempt, as in `pismo_webhook_attempts_total{attempt}` and `pismo-attempts`.
    public var attempt: Int
    /// When the attempt started, unix milliseconds.
    public var atMillis: Int64
    /// The HTTP status, when one was received.
    public var status: Int?
    /// Why no status was received: a transport error, a timeout, a refused destination.
    public var error: String?
    public var latency: Duration
    /// The first `maxResponseExcerptBytes` of the response body (the initialiser cuts longer ones).
    public var responseExcerpt: [UInt8]
    /// The attempt delivered the event (2xx).
    public var delivered: Bool

    public init(clientID: String, eventID: String, endpointID: String, attempt: Int, atMillis: Int64,
                status: Int?, error: String?, latency: Duration, responseExcerpt: [UInt8], delivered: Bool) {
        self.clientID = clientID
        self.eventID = eventID
        self.endpointID = endpointID
        self.attempt = attempt
        self.atMillis = atMillis
        self.status = status
        self.error = error
        self.latency = latency
        self.responseExcerpt = responseExcerpt.count > Self.maxResponseExcerptBytes
            ? Array(responseExcerpt.prefix(Self.maxResponseExcerptBytes)) : responseExcerpt
        self.delivered = delivered
    }

    /// Whole milliseconds of `latency`, rounded down.
    public var latencyMillis: Int64 {
        latency.wholeMilliseconds
    }
}
