import Foundation

/// Standard Webhooks v1 signing: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` where the key
/// is the base64-decoded part of a secret after `whsec_`. With several secrets (a rotation's overlap)
/// the header carries one signature per secret, space-separated, current first: receivers holding
/// either secret verify.
public struct WebhookSigner: Sendable {
    private let keys: [[UInt8]]

    public enum SecretError: Error, CustomStringConvertible, Equatable {
        case missingPrefix
        case notBase64
        public var description: String {
            switch self {
            case .missingPrefix: "webhook secret must start with 'whsec_'"
            case .notBase64: "webhook secret after 'whsec_' is not valid base64"
            }
        }
    }

    public init(secret: String) throws(SecretError) {
        try self.init(secrets: [secret])
    }

    public init(secrets: [String]) throws(SecretError) {
        var keys: [[UInt8]] = []
        for secret in secrets {
            guard secret.hasPrefix("whsec_") else { throw .missingPrefix }
            guard let key = Data(base64Encoded: String(secret.dropFirst(6))), !key.isEmpty else { throw .notBase64 }
            keys.append(Array(key))
        }
        self.keys = keys
    }

    /// The `webhook-signature` header value for one attempt.
    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return keys.map { "v1," + Data(Digests.hmacSHA256(key: $0, message: content)).base64EncodedString() }.joined(separator: " ")
    }
}
