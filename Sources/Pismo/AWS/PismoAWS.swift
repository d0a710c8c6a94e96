import Transport

/// The three AWS clients every subcommand uses, built once per process over one HTTP client so
/// they share keep-alive pools, credentials, clock skew and the retry quota.
public struct PismoAWS: Sendable {
    public let sqs: SQSClient
    public let dynamo: DynamoDBClient
    public let streams: DynamoDBStreamsClient
    public let config: AWSConfig

    public init(http: any HTTPExecuting, environment: AWSEnvironment = .process()) {
        var context = AWSClientContext.standard(http: http, environment: environment)
        context.userAgent = PismoVersion.userAgent
        self.init(context: context)
    }

    public init(context: AWSClientContext) {
        self.config = context.config
        sqs = SQSClient(context: context)
        dynamo = DynamoDBClient(context: context)
        streams = DynamoDBStreamsClient(context: context)
    }

    /// PISMO_*_QUEUE values may be names or URLs.
    public func queueURL(_ nameOrURL: String) async throws -> String {
        if nameOrURL.hasPrefix("https://") || nameOrURL.hasPrefix("http://") { return nameOrURL }
        return try await sqs.getQueueUrl(name: nameOrURL)
    }

    /// The Events table's stream; a clear error when the table has none.
    public func streamARN(table: String) async throws -> String {
        let description = try await dynamo.describeTable(name: table)
        guard description.streamEnabled, let arn = description.latestStreamARN else {
            throw PismoError.configuration("table \(table) has no stream: run `pismo init` or enable NEW_IMAGE streams")
        }
        return arn
    }
}
