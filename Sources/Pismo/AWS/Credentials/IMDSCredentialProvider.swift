import Transport

/// EC2 instance profile through IMDSv2 (IPv4, or IPv6 with `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`): PUT a session token (6 h TTL), then GET the role name and its
/// credentials with `x-aws-ec2-metadata-token`. 403/404/405 on the token PUT means an IMDSv1-only
/// endpoint: fall back to token-less GETs. Disabled by `AWS_EC2_METADATA_DISABLED=true`; endpoint
/// overridable with `AWS_EC2_METADATA_SERVICE_ENDPOINT`. 1 s timeout, one attempt: off EC2 there is
/// nobody at 169.254.169.254 and start-up must not hang.
public struct IMDSCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public let http: any HTTPExecuting
    public var name: String { "EC2 instance metadata (IMDSv2 at \(endpoint))" }
    var endpoint: String {
        let ipv6 = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6"
        let e = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? (ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        return e.hasSuffix("/") ? String(e.dropLast()) : e
    }
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    public init(environment: AWSEnvironment, http: any HTTPExecuting) {
        self.environment = environment
        self.http = http
    }

    public func resolve() async throws -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        let token: String?
        do {
            token = try await sessionToken()
        } catch let e as CredentialError {
            throw e
        } catch {
            return nil  // nothing listening: not on EC2
        }
        var headers = HTTPHeaders()
        if let token { headers.add("x-aws-ec2-metadata-token", token) }
        let roleList = try await get(Self.credentialsPath, headers: headers)
        guard let role = String(decoding: roleList, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
              !role.isEmpty else {
            throw CredentialError("IMDS has no instance profile role")
        }
        let body = try await get(Self.credentialsPath + role, headers: headers)
        return try MetadataCredentialsJSON.parse(body, source: "IMDS role \(role)")
    }

    private func sessionToken() async throws -> String? {
        let request = HTTPRequest(method: "PUT", url: endpoint + "/latest/api/token",
                                  headers: HTTPHeaders([("x-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        let response = try await http.execute(request, timeout: .seconds(1))
        switch response.status {
        case 200: return String(decoding: response.body, as: UTF8.self)
        case 403, 404, 405: return nil
        default: throw CredentialError("IMDS token request failed with HTTP \(response.status)")
        }
    }

    private func get(_ path: String, headers: HTTPHeaders) async throws -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await http.execute(HTTPRequest(method: "GET", url: endpoint + path, headers: headers), timeout: .seconds(1))
        } catch {
            throw CredentialError("IMDS GET \(path) failed: \(error)")
        }
        guard response.status == 200 else { throw CredentialError("IMDS GET \(path) returned HTTP \(response.status)") }
        return response.body
    }
}
