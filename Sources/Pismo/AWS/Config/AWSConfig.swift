/// Region and endpoints, resolved once at start-up the way the AWS SDKs do (see docs/aws.md).
///
/// Region: `AWS_REGION` → `AWS_DEFAULT_REGION` → `region` of the profile in the config file → `us-east-1`.
/// Endpoint per service: explicit override → `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL` →
/// `[services x]` section named by the profile's `services` key → profile `endpoint_url` → regional
/// https endpoint. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` skips the env/config steps.
public struct AWSConfig: Sendable {
    public var region: String
    public var environment: AWSEnvironment
    private var overrides: [String: String]

    public init(environment: AWSEnvironment = .process(), region: String? = nil, endpointOverrides: [AWSService: String] = [:]) {
        self.environment = environment
        self.region = region ?? Self.resolveRegion(environment)
        self.overrides = Dictionary(uniqueKeysWithValues: endpointOverrides.map { ($0.key.id, $0.value) })
    }

    static func resolveRegion(_ env: AWSEnvironment) -> String {
        if let r = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] { return r }
        if let r = env.configFile()?.configProfile(env.profileName)?["region"], !r.isEmpty { return r }
        return "us-east-1"
    }

    /// Base URL (scheme + host + optional port/path, no trailing slash) for a service.
    public func endpoint(for service: AWSService) -> String {
        if let explicit = overrides[service.id] { return trimSlash(explicit) }
        let ignore = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        if !ignore {
            if let v = environment["AWS_ENDPOINT_URL_" + service.endpointEnvSuffix] { return trimSlash(v) }
            if let v = environment["AWS_ENDPOINT_URL"] { return trimSlash(v) }
            let config = environment.configFile()
            let profile = config?.configProfile(environment.profileName)
            if let servicesName = profile?["services"],
               let v = config?.servicesSection(servicesName)?[service.configKey + ".endpoint_url"] {
                return trimSlash(v)
            }
            if let v = profile?["endpoint_url"], !v.isEmpty { return trimSlash(v) }
        }
        return service.regionalEndpoint(region: region)
    }

    private func trimSlash(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }
}
