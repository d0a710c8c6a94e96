/// Something that can produce AWS credentials. `credentials()` may do I/O (STS, container, IMDS);
/// callers go through `CachedCredentialProvider`, which refreshes before expiry.
public protocol AWSCredentialProvider: Sendable {
    /// Human-readable name for errors: "environment", "web identity", "shared files", …
    var name: String { get }
    /// nil when this source is not configured at all (the chain moves on); throws
    /// `CredentialError` when it is configured but broken.
    func resolve() async throws -> AWSCredentials?
}

/// Why credentials could not be obtained; `tried` lists every source and what it said.
public struct CredentialError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var tried: [String]

    public init(_ message: String, tried: [String] = []) {
        self.message = message
        self.tried = tried
    }

    public var description: String {
        tried.isEmpty ? message : message + " (tried: " + tried.joined(separator: "; ") + ")"
    }
}

/// Fixed credentials (tests, explicit configuration).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let credentials: AWSCredentials
    public var name: String { "static" }
    public init(_ credentials: AWSCredentials) { self.credentials = credentials }
    public func resolve() async throws -> AWSCredentials? { credentials }
}
