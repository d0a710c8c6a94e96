import PismoJSON

/// Outcome of `EventValidator.validate`: the envelope fields that could be read (even when the
/// event is invalid, so DLQ records can name the tenant) and the first error, if any.
public struct EventValidationResult: Sendable {
    public var clientID: String?
    public var eventType: String?
    public var eventTime: String?
    public var eventID: String?
    public var error: EventValidationError?

    public var isValid: Bool { error == nil }

    init(clientID: String? = nil, eventType: String? = nil, eventTime: String? = nil, eventID: String? = nil,
         error: EventValidationError? = nil) {
        self.clientID = clientID
        self.eventType = eventType
        self.eventTime = eventTime
        self.eventID = eventID
        self.error = error
    }

    /// Reads the string-valued envelope fields of a parsed message (non-strings are left nil).
    static func fields(of root: JSONNode, error: EventValidationError?) -> EventValidationResult {
        guard root.kind == .object else { return EventValidationResult(error: error) }
        return EventValidationResult(clientID: root["client_id"]?.string, eventType: root["event_type"]?.string,
                                     eventTime: root["event_time"]?.string, eventID: root["event_id"]?.string, error: error)
    }
}

/// Why an event was rejected. `code` maps to the DLQ reason; `message` is the one-line
/// "/data/amount: 0 must be > 0" text; `detail` carries the schema locations when available.
public struct EventValidationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidJSON = "invalid_json"
        case schemaViolation = "schema_violation"
        case unknownEventType = "unknown_event_type"
    }

    public var code: Code
    public var message: String
    public var detail: ValidationError?

    public init(code: Code, message: String, detail: ValidationError? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}
