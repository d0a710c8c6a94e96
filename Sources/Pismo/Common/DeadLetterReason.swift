/// Why something was dead-lettered: the value of the `pismo-error` attribute on events-dlq and
/// deliver-dlq, spelled `<code>: <detail>`. The code is stable and closed (alert and filter on it;
/// `pismo peek --code`); the detail is for people and may change wording.
public struct DeadLetterReason: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: DeadLetterCode
    public var detail: String

    public init(_ code: DeadLetterCode, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    /// The code a `pismo-error` value starts with; nil for values written before codes existed.
    public static func code(of value: String) -> DeadLetterCode? {
        guard let colon = value.firstIndex(of: ":") else { return nil }
        return DeadLetterCode(rawValue: String(value[..<colon]))
    }
}

/// The table of `pismo-error` codes (also in docs/operations.md).
public enum DeadLetterCode: String, CaseIterable, Sendable {
    // events-dlq: the processor could not accept the event.
    case json
    case schema
    case unknownEventType = "unknown-event-type"
    case tooLarge = "too-large"
    /// The event's key (`client_id`, `<event_time>#<event_id>`) is already stored with another payload.
    case conflict
    /// DynamoDB refused the PutItem for good (a permanent AWS error other than the limits checked before it).
    case storeRefused = "store-refused"
    // deliver-dlq: the event was stored but could not be delivered.
    case noRoute = "no-route"
    case badSecret = "bad-secret"
    /// The endpoint's settings cannot be sent as they are (URL, extra headers, filter, rate, timeout).
    case badEndpoint = "bad-endpoint"
    case http3xx = "http-3xx"
    case http4xx = "http-4xx"
    /// A final status outside 2xx–5xx (1xx as a final answer, 6xx and beyond).
    case httpUnexpected = "http-unexpected"
    case attemptsExhausted = "attempts-exhausted"
    /// The stored event a retry refers to is gone (deleted from the Events table).
    case eventMissing = "event-missing"
    /// The endpoint is disabled (410 Gone, or failing for `PISMO_DISABLE_AFTER`).
    case disabled
    /// The retry queue held a message Pismo did not write (its body is the dead letter's payload).
    case retryUnreadable = "retry-unreadable"
    /// AWS refused, for what it carried, a request this event needed (the route lookup, the retry
    /// queue write): retrying it could never succeed.
    case awsRefused = "aws-refused"
    /// The SSRF guard refused the webhook's destination (`PISMO_WEBHOOK_ALLOW_NETS`,
    /// `PISMO_WEBHOOK_HTTPS_ONLY`); no connection was made.
    case destinationRefused = "destination-refused"

    /// The code for a status that is never retried (see `DeliveryPolicy`).
    public static func permanent(status: Int) -> DeadLetterCode {
        switch status {
        case 300..<400: .http3xx
        case 400..<500: .http4xx
        default: .httpUnexpected
        }
    }

    /// One line for the docs and `--help`: what happened, and what to do.
    public var meaning: String {
        switch self {
        case .json: "the message is not a JSON object: fix the producer"
        case .schema: "the event violates the envelope or its event type's schema: fix the producer or the schema, then redrive"
        case .unknownEventType: "PISMO_STRICT_EVENT_TYPES is on and events/<event_type>.json does not exist: add the schema, then redrive"
        case .tooLarge: "the stored item would exceed DynamoDB's limits (item 400 KB, client_id 2,048 bytes, <event_time>#<event_id> 1,024 bytes): shrink the event"
        case .conflict: "another event with the same client_id, event_time and event_id but a different payload is already stored: give the event its own event_id, then redrive"
        case .storeRefused: "DynamoDB refused to store the event (its error code and message are in the detail): fix the event, then redrive"
        case .noRoute: "the client has no route: add one (pismo routes set), then redrive"
        case .badSecret: "the route's secret is not whsec_<base64>: fix the route, then redrive"
        case .badEndpoint: "the endpoint's settings are invalid (URL, extra headers, event-type filter, rate or timeout; the detail says which): fix them with pismo routes set, then redrive"
        case .http3xx: "the endpoint answered a redirect, which is never followed: fix the route's URL, then redrive"
        case .http4xx: "the endpoint refused the event with a non-retryable 4xx: fix the endpoint, then redrive"
        case .httpUnexpected: "the endpoint answered a status HTTP does not define as final: fix the endpoint, then redrive"
        case .attemptsExhausted: "every attempt failed (5xx, 408, 429, timeouts, refused connections): redrive once the endpoint is back"
        case .disabled: "the endpoint is disabled (it answered 410 Gone, or failed without a success for PISMO_DISABLE_AFTER): fix it, pismo routes enable, then redrive"
        case .eventMissing: "the stored event a retry refers to was deleted from the Events table: nothing left to deliver"
        case .retryUnreadable: "the retry queue held a message Pismo did not write: inspect it; nothing of Pismo's was lost"
        case .destinationRefused: "the route's URL resolves to an address webhooks may not reach (loopback, private, link-local, metadata, CGNAT, multicast, reserved; the detail names the rule and address) or is plain http under PISMO_WEBHOOK_HTTPS_ONLY; nothing was sent: fix the route, or allow the network in PISMO_WEBHOOK_ALLOW_NETS, then redrive"
        case .awsRefused: "AWS refused a request this event needed (route lookup, retry queue write) for what it carried: see the reason; the event is still in the Events table"
        }
    }
}
