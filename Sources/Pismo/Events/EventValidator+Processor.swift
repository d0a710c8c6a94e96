/// The processor's validation port, served by the schema-backed `EventValidator`.
extension EventValidator: EventValidating {
    /// The DLQ reason is "<code>: <where and why>", e.g.
    /// "schema_violation: /data: expected object, got string" — short, stable prefix for alerting.
    public func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, InvalidEventReason> {
        let result = validate(body)
        if let error = result.error {
            return .failure(InvalidEventReason("\(error.code.rawValue): \(error.message)"))
        }
        guard let client = result.clientID, let type = result.eventType, let time = result.eventTime else {
            // Unreachable when the envelope schema requires these strings; kept so a schema edit can't crash us.
            return .failure(InvalidEventReason("schema_violation: client_id, event_type and event_time must be strings"))
        }
        return .success(ValidEvent(clientID: client, eventType: type, eventTime: time, eventID: result.eventID))
    }
}
