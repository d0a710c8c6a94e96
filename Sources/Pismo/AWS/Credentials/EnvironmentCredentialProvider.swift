/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, legacy `AWS_SECURITY_TOKEN`,
/// optional `AWS_CREDENTIAL_EXPIRATION`).
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public var name: String { "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)" }

    public init(environment: AWSEnvironment) { self.environment = environment }

    public func resolve() async throws -> AWSCredentials? {
        let akid = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (akid, secret) {
        case (nil, nil): return nil
        case (_?, nil): throw CredentialError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, _?): throw CredentialError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case let (akid?, secret?):
            return AWSCredentials(accessKeyID: akid, secretAccessKey: secret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"],
                                  expiration: environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(AWSTimestamp.init(parsing:)),
                                  source: "environment")
        }
    }
}
