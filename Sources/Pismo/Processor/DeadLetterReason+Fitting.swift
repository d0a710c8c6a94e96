/// Making a `pismo-error` that SQS refused acceptable: SQS counts message attributes towards the
/// message size limit and accepts only XML characters in them, so a reason that grows with the input
/// (a schema error quoting a huge number, say) or carries a control character can make the dead
/// letter itself impossible to send.
extension DeadLetterReason {
    /// What a `pismo-error` attribute costs beside its value: its name and its data type.
    static let attributeOverheadBytes = "pismo-error".utf8.count + "String".utf8.count

    /// The reason with its detail cut to what fits beside a body of `bodyBytes` bytes (never more
    /// than `cap` bytes of detail) and with characters SQS does not accept replaced. The code always
    /// survives: operators filter on it.
    public func fitted(besideBodyOf bodyBytes: Int, cap: Int = 1024) -> DeadLetterReason {
        let room = SQSMessageLimits.maxMessageBytes - bodyBytes - Self.attributeOverheadBytes - "\(code.rawValue): ".utf8.count
        return DeadLetterReason(code, SQSMessageLimits.truncated(SQSMessageLimits.sanitized(detail), maxBytes: max(0, min(cap, room))))
    }
}
