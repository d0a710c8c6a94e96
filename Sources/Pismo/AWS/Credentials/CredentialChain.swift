import Transport

/// Tries providers in order; the first *configured* one decides (a configured but broken source is an
/// error, not a reason to silently use another identity). The error names every source tried.
///
/// Pismo's order: environment → web identity → shared files (credentials, then config) → container → IMDSv2.
public struct CredentialChain: AWSCredentialProvider {
    public let providers: [any AWSCredentialProvider]
    public var name: String { "credential chain" }

    public init(_ providers: [any AWSCredentialProvider]) { self.providers = providers }

    public static func standard(config: AWSConfig, http: any HTTPExecuting) -> CredentialChain {
        let env = config.environment
        var providers: [any AWSCredentialProvider] = []
        // The SDKs skip environment keys when a profile is named explicitly.
        if !env.profileExplicit { providers.append(EnvironmentCredentialProvider(environment: env)) }
        providers.append(WebIdentityCredentialProvider(environment: env, http: http, stsEndpoint: config.endpoint(for: .sts)))
        providers.append(ProfileCredentialProvider(environment: env))
        providers.append(ContainerCredentialProvider(environment: env, http: http))
        providers.append(IMDSCredentialProvider(environment: env, http: http))
        return CredentialChain(providers)
    }

    public func resolve() async throws -> AWSCredentials? {
        var tried: [String] = []
        for provider in providers {
            do {
                if let credentials = try await provider.resolve() { return credentials }
                tried.append("\(provider.name): not configured")
            } catch {
                tried.append("\(provider.name): \(error)")
                throw CredentialError("\(provider.name) is configured but failed", tried: tried)
            }
        }
        throw CredentialError("no AWS credentials found", tried: tried)
    }
}
