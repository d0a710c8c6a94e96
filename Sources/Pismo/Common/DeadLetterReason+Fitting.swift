/// Making a `pismo-error` that SQS refused acceptable: SQS counts message attributes towards the
/// message size limit and accepts only XML characters in them, so a reason that grows with the input
/// (a schema error quoting a huge number, say) or carries a control character can make the dead
/// letter itself impossible to send.
extension DeadLetterReason {
    /// SQS's largest message (body and attributes together), in bytes.
    public static let sqsMaxMessageBytes = 262_144
    /// What a `pismo-error` attribute costs beside its value: its name and its data type.
    static let attributeOverheadBytes = "pismo-error".utf8.count + "String".utf8.count

    /// The reason with its detail cut to what fits beside a body of `bodyBytes` bytes (never more
    /// than `cap` bytes of detail) and with characters SQS does not accept replaced by `?`. The code
    /// always survives: operators filter on it.
    public func fitted(besideBodyOf bodyBytes: Int, cap: Int = 1024) -> DeadLetterReason {
        let room = Self.sqsMaxMessageBytes - bodyBytes - Self.attributeOverheadBytes - "\(code.rawValue): ".utf8.count
        let limit = max(0, min(cap, room))
        let clean = String(String.UnicodeScalarView(detail.unicodeScalars.map { Self.sqsAccepts($0) ? $0 : "?" }))
        if clean.utf8.count <= limit { return DeadLetterReason(code, clean) }
        let marker = "…"
        guard limit > marker.utf8.count else { return DeadLetterReason(code, "") }
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in clean.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > limit - marker.utf8.count { break }
            kept.append(scalar)
            used += size
        }
        return DeadLetterReason(code, String(kept) + marker)
    }

    /// SQS's allowed characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
    static func sqsAccepts(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
