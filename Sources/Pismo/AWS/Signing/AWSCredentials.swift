/// One set of AWS credentials. `expiration` is nil for long-lived keys; `source` names the
/// provider that produced them (for logs and error messages, never the secret).
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var expiration: AWSTimestamp?
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: AWSTimestamp? = nil, source: String = "static") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Never prints the secret or the token.
    public var description: String {
        "AWSCredentials(\(accessKeyID), source: \(source)\(expiration.map { ", expires: \($0.amzDate)" } ?? ""))"
    }
}
