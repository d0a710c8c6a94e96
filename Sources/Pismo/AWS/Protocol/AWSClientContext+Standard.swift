import Transport

extension AWSClientContext {
    /// The production wiring: region/endpoints from the environment and shared files, the standard
    /// credential chain behind a refreshing cache, the standard retry mode, one clock and quota.
    /// Build one per process and share it between the SQS, DynamoDB and Streams clients.
    public static func standard(http: any HTTPExecuting, environment: AWSEnvironment = .process(),
                                region: String? = nil, endpointOverrides: [AWSService: String] = [:],
                                timeout: Duration = .seconds(10)) -> AWSClientContext {
        let config = AWSConfig(environment: environment, region: region, endpointOverrides: endpointOverrides)
        let clock = AWSClock()
        let credentials = CachedCredentialProvider(CredentialChain.standard(config: config, http: http), clock: clock)
        return AWSClientContext(config: config, http: http, credentials: credentials, clock: clock, timeout: timeout)
    }
}
