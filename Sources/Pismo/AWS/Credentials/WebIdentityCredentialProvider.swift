import Transport

/// OIDC web identity (EKS IRSA): `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`),
/// or the profile keys `web_identity_token_file` / `role_arn` / `role_session_name`, exchanged with an
/// unsigned STS `AssumeRoleWithWebIdentity` (query protocol, XML response). The token file is re-read
/// on every refresh because the kubelet rotates it.
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public let http: any HTTPExecuting
    public let stsEndpoint: String
    public var name: String { "web identity (AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN)" }

    public init(environment: AWSEnvironment, http: any HTTPExecuting, stsEndpoint: String) {
        self.environment = environment
        self.http = http
        self.stsEndpoint = stsEndpoint
    }

    public func resolve() async throws -> AWSCredentials? {
        let profile = environment.configFile()?.configProfile(environment.profileName) ?? [:]
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? profile["web_identity_token_file"]
        let roleARN = environment["AWS_ROLE_ARN"] ?? profile["role_arn"]
        guard let tokenFile, let roleARN else { return nil }
        guard let token = environment.readFile(tokenFile)?.trimmingSet(" \n\r\t"), !token.isEmpty else {
            throw CredentialError("web identity token file \(tokenFile) is missing or empty")
        }
        let session = environment["AWS_ROLE_SESSION_NAME"] ?? profile["role_session_name"] ?? "pismo-\(AWSClock().now().secondsSince1970)"
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                    ("RoleSessionName", session), ("WebIdentityToken", token)]
            .map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: stsEndpoint + "/",
                                  headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                                                        ("Accept-Encoding", "identity")]),
                                  body: Array(form.utf8))
        let response: HTTPResponse
        do {
            response = try await http.execute(request, timeout: .seconds(5))
        } catch {
            throw CredentialError("STS AssumeRoleWithWebIdentity at \(stsEndpoint) unreachable: \(error)")
        }
        return try AssumeRoleWithWebIdentityXML.parse(response, roleARN: roleARN)
    }
}
