/// Static wire facts of one AWS JSON service (botocore service-2.json metadata).
public struct AWSService: Sendable, Hashable {
    /// Short id used in logs and errors: "sqs", "dynamodb", "dynamodbstreams", "sts".
    public let id: String
    /// SigV4 credential-scope service. For DynamoDB Streams this is `dynamodb`, not the host prefix.
    public let signingName: String
    /// Host prefix of the regional endpoint: `<prefix>.<region>.amazonaws.com`.
    public let endpointPrefix: String
    /// `X-Amz-Target: <targetPrefix>.<Operation>` (empty for query-protocol services).
    public let targetPrefix: String
    /// Suffix of the `AWS_ENDPOINT_URL_<SUFFIX>` override.
    public let endpointEnvSuffix: String
    /// The model has `awsQueryCompatible`: send `x-amzn-query-mode: true`, read `x-amzn-query-error`.
    public let queryCompatible: Bool
    /// Name used in `[services x]` sections of the shared config file.
    public let configKey: String

    public static let sqs = AWSService(id: "sqs", signingName: "sqs", endpointPrefix: "sqs", targetPrefix: "AmazonSQS",
                                       endpointEnvSuffix: "SQS", queryCompatible: true, configKey: "sqs")
    public static let dynamoDB = AWSService(id: "dynamodb", signingName: "dynamodb", endpointPrefix: "dynamodb",
                                            targetPrefix: "DynamoDB_20120810", endpointEnvSuffix: "DYNAMODB",
                                            queryCompatible: false, configKey: "dynamodb")
    public static let dynamoDBStreams = AWSService(id: "dynamodbstreams", signingName: "dynamodb",
                                                   endpointPrefix: "streams.dynamodb",
                                                   targetPrefix: "DynamoDBStreams_20120810",
                                                   endpointEnvSuffix: "DYNAMODB_STREAMS", queryCompatible: false,
                                                   configKey: "dynamodb_streams")
    public static let sts = AWSService(id: "sts", signingName: "sts", endpointPrefix: "sts", targetPrefix: "",
                                       endpointEnvSuffix: "STS", queryCompatible: false, configKey: "sts")
    public static let iam = AWSService(id: "iam", signingName: "iam", endpointPrefix: "iam", targetPrefix: "",
                                       endpointEnvSuffix: "IAM", queryCompatible: false, configKey: "iam")

    /// The normal regional endpoint (China regions use `amazonaws.com.cn`).
    public func regionalEndpoint(region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if id == "iam" { return "https://iam.amazonaws.com" }
        return "https://\(endpointPrefix).\(region).\(suffix)"
    }
}
