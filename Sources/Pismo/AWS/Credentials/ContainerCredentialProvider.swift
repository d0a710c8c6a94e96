import Transport

/// ECS task role / EKS Pod Identity: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (against
/// `http://169.254.170.2`) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (only https, loopback, or the
/// ECS/EKS link-local agents — anything else could leak the token to an arbitrary host).
/// `Authorization` comes from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read each time, EKS rotates it)
/// or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. 2 s timeout, 3 attempts.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public let http: any HTTPExecuting
    public var name: String { "container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI)" }
    static let ecsHost = "http://169.254.170.2"
    static let allowedHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost", "::1"]

    public init(environment: AWSEnvironment, http: any HTTPExecuting) {
        self.environment = environment
        self.http = http
    }

    public func resolve() async throws -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = Self.ecsHost + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard Self.isAllowed(full) else {
                throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI \(full) is neither https nor a loopback/ECS/EKS address")
            }
            url = full
        } else {
            return nil
        }
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let token = environment.readFile(file)?.trimmingSet(" \n\r\t"), !token.isEmpty else {
                throw CredentialError("container authorization token file \(file) is missing or empty")
            }
            headers.add("Authorization", token)
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.add("Authorization", token)
        }
        var lastError = ""
        for _ in 0..<3 {
            do {
                let response = try await http.execute(HTTPRequest(method: "GET", url: url, headers: headers), timeout: .seconds(2))
                guard response.status == 200 else {
                    lastError = "HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))"
                    if response.status < 500 { break }
                    continue
                }
                return try MetadataCredentialsJSON.parse(response.body, source: "container \(url)")
            } catch let e as CredentialError {
                throw e
            } catch {
                lastError = String(describing: error)
            }
        }
        throw CredentialError("container credentials endpoint \(url) failed: \(lastError)")
    }

    static func isAllowed(_ url: String) -> Bool {
        guard let parts = try? RequestTarget(url: url) else { return false }
        if parts.scheme == "https" { return true }
        if parts.host.hasPrefix("127.") || allowedHosts.contains(parts.host) { return true }
        return false
    }
}
