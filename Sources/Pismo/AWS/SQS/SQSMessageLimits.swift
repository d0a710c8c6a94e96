/// What SQS accepts in a message, so a sender can make a message fit instead of having it refused
/// for ever (AWS SQS API reference, SendMessage: "MessageBody" and "MessageAttribute").
public enum SQSMessageLimits {
    /// A message's body and attributes together (names, data types and values), in bytes: 256 KiB.
    public static let maxMessageBytes = 262_144

    /// The bytes SQS counts for `body` with `attributes`.
    public static func size(body: String, attributes: [String: SQSMessageAttribute]) -> Int {
        attributes.reduce(body.utf8.count) { total, entry in
            total + entry.key.utf8.count + entry.value.dataType.utf8.count
                + (entry.value.stringValue?.utf8.count ?? 0) + (entry.value.binaryValue?.count ?? 0)
        }
    }

    /// `text` with every character SQS refuses (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
    /// #x10000-#x10FFFF are allowed) replaced by U+FFFD, so an attribute built from untrusted text
    /// (an endpoint's error, a client id) can always be sent.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isAllowed($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isAllowed(scalar) ? scalar : "\u{FFFD}") }
        return String(out)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// `text` cut to at most `maxBytes` of UTF-8 on a character boundary, ending in "…" when cut
    /// (empty when not even that fits).
    public static func truncated(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let marker = "…"
        guard maxBytes > marker.utf8.count else { return "" }
        let budget = maxBytes - marker.utf8.count
        var used = 0
        let kept = text.prefix { character in
            used += character.utf8.count
            return used <= budget
        }
        return String(kept) + marker
    }
}
