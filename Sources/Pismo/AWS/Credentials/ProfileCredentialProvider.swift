/// Static keys from the shared files: the profile (`AWS_PROFILE`, else `default`) in the credentials
/// file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) first, then in the config file
/// (`AWS_CONFIG_FILE`, else `~/.aws/config`).
public struct ProfileCredentialProvider: AWSCredentialProvider {
    public let environment: AWSEnvironment
    public var name: String {
        "shared files (profile \(environment.profileName) in \(environment.credentialsFilePath), \(environment.configFilePath))"
    }

    public init(environment: AWSEnvironment) { self.environment = environment }

    public func resolve() async throws -> AWSCredentials? {
        let profile = environment.profileName
        if let section = environment.credentialsFile()?.credentialsProfile(profile),
           let creds = try keys(from: section, file: environment.credentialsFilePath, profile: profile) {
            return creds
        }
        if let section = environment.configFile()?.configProfile(profile),
           let creds = try keys(from: section, file: environment.configFilePath, profile: profile) {
            return creds
        }
        return nil
    }

    private func keys(from section: [String: String], file: String, profile: String) throws -> AWSCredentials? {
        let akid = section["aws_access_key_id"]
        let secret = section["aws_secret_access_key"]
        if akid == nil && secret == nil { return nil }
        guard let akid, let secret, !akid.isEmpty, !secret.isEmpty else {
            throw CredentialError("profile \(profile) in \(file) has only one of aws_access_key_id/aws_secret_access_key")
        }
        return AWSCredentials(accessKeyID: akid, secretAccessKey: secret,
                              sessionToken: section["aws_session_token"] ?? section["aws_security_token"],
                              source: "shared file \(file) [\(profile)]")
    }
}
