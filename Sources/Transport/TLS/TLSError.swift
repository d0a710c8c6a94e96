import CSystemShims

/// Why a TLS operation failed: a small closed set of kinds plus the text OpenSSL gave us, so callers
/// can branch on `kind` and log `message` (e.g. "certificate verify failed: self-signed certificate").
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A certificate, key or CA file could not be loaded, or OpenSSL refused a setting.
        case configuration
        /// The peer's certificate chain did not verify against the trust store.
        case untrustedCertificate
        /// The chain verified but was not issued for the host we asked for.
        case hostnameMismatch
        /// Any other handshake failure: an alert from the peer, no common protocol or cipher.
        case handshakeFailed
        /// A record-layer failure after the handshake (bad MAC, unexpected message).
        case protocolError
        /// The peer's TCP stream ended without a TLS close_notify: the data may be truncated.
        case unexpectedEOF
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// OpenSSL reports failures through a thread-local queue of packed error codes. Every engine call
/// clears it first (a stale entry from an unrelated call would otherwise be blamed on this one)
/// and drains it into text on failure.
enum OpenSSLErrorQueue {
    /// SSL_get_error needs an empty queue before each I/O call. Peeking first is much cheaper
    /// than clearing an already empty queue, and the queue is empty on every call of a healthy
    /// connection (failures drain it).
    static func clear() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    /// Reason strings of every queued error, oldest first, e.g. "certificate verify failed".
    static func drain() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            reasons.append(reasonText(code))
        }
        return reasons.joined(separator: "; ")
    }

    /// The most recent error's reason code without removing it (0 when the queue is empty).
    static func lastReason() -> Int32 {
        ERR_GET_REASON(ERR_peek_last_error())
    }

    private static func reasonText(_ code: UInt) -> String {
        if let reason = ERR_reason_error_string(code) {
            return String(cString: reason)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A configuration error carrying what we were doing and whatever OpenSSL queued.
    static func configurationError(_ doing: String) -> TLSError {
        let detail = drain()
        return TLSError(.configuration, detail.isEmpty ? doing : "\(doing): \(detail)")
    }
}
