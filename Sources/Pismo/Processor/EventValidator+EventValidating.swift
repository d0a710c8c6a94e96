/// The processor's validation port, served by the schema-backed `EventValidator`.
extension EventValidator: EventValidating {
    /// The DLQ reason is "<code>: <where and why>", e.g. "schema: /data: expected object, got string".
    public func validateEvent(_ body: [UInt8]) -> Result<ValidEvent, DeadLetterReason> {
        let result = validate(body)
        if let error = result.error {
            let code: DeadLetterCode = switch error.code {
            case .invalidJSON: .json
            case .schemaViolation: .schema
            case .unknownEventType: .unknownEventType
            }
            return .failure(DeadLetterReason(code, error.message))
        }
        guard let client = result.clientID, let type = result.eventType, let time = result.eventTime else {
            // Unreachable when the envelope schema requires these strings; kept so a schema edit can't crash us.
            return .failure(DeadLetterReason(.schema, "client_id, event_type and event_time must be strings"))
        }
        return .success(ValidEvent(clientID: client, eventType: type, eventTime: time, eventID: result.eventID))
    }
}
