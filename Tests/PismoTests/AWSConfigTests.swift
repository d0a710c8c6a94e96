import Testing
@testable import Pismo

@Suite("AWS configuration: shared files, region, endpoints")
struct AWSConfigTests {
    static let configText = """
    # comment
    [default]
    region = eu-central-1
    endpoint_url = http://127.0.0.1:4566/

    [profile dev]
    region=ap-south-1
    services = local
    aws_access_key_id = AKIDCONFIG
    aws_secret_access_key = configsecret

    [services local]
    sqs =
      endpoint_url = http://127.0.0.1:9324
    dynamodb =
      endpoint_url = http://127.0.0.1:8000 ; trailing comment
    """

    static func env(_ vars: [String: String], files: [String: String] = [:]) -> AWSEnvironment {
        AWSEnvironment(variables: vars, homeDirectory: "/home/p", readFile: { files[$0] })
    }

    @Test func parsesProfilesAndNestedServiceSections() {
        let file = SharedConfigFile(text: Self.configText)
        #expect(file.configProfile("default")?["region"] == "eu-central-1")
        #expect(file.configProfile("dev")?["region"] == "ap-south-1")
        #expect(file.servicesSection("local")?["sqs.endpoint_url"] == "http://127.0.0.1:9324")
        #expect(file.servicesSection("local")?["dynamodb.endpoint_url"] == "http://127.0.0.1:8000")
        #expect(file.configProfile("missing") == nil)
    }

    @Test func regionPrecedence() {
        let files = ["/home/p/.aws/config": Self.configText]
        #expect(AWSConfig(environment: Self.env(["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "x"], files: files)).region == "us-west-2")
        #expect(AWSConfig(environment: Self.env(["AWS_DEFAULT_REGION": "sa-east-1"], files: files)).region == "sa-east-1")
        #expect(AWSConfig(environment: Self.env([:], files: files)).region == "eu-central-1")
        #expect(AWSConfig(environment: Self.env(["AWS_PROFILE": "dev"], files: files)).region == "ap-south-1")
        #expect(AWSConfig(environment: Self.env([:])).region == "us-east-1")
        #expect(AWSConfig(environment: Self.env(["AWS_CONFIG_FILE": "/etc/aws"], files: ["/etc/aws": "[default]\nregion=eu-north-1"])).region == "eu-north-1")
    }

    @Test func endpointPrecedence() {
        let files = ["/home/p/.aws/config": Self.configText]
        let all = Self.env(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000/", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://127.0.0.1:7000"])
        let c = AWSConfig(environment: all, region: "eu-west-1")
        #expect(c.endpoint(for: .sqs) == "http://127.0.0.1:5000")
        #expect(c.endpoint(for: .dynamoDBStreams) == "http://127.0.0.1:7000")
        let explicit = AWSConfig(environment: all, endpointOverrides: [.sqs: "http://127.0.0.1:1"])
        #expect(explicit.endpoint(for: .sqs) == "http://127.0.0.1:1")
        let dev = AWSConfig(environment: Self.env(["AWS_PROFILE": "dev"], files: files))
        #expect(dev.endpoint(for: .sqs) == "http://127.0.0.1:9324")
        #expect(dev.endpoint(for: .dynamoDBStreams) == "https://streams.dynamodb.ap-south-1.amazonaws.com")
        #expect(AWSConfig(environment: Self.env([:], files: files)).endpoint(for: .dynamoDB) == "http://127.0.0.1:4566")
        let ignoring = AWSConfig(environment: Self.env(["AWS_ENDPOINT_URL": "http://x", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]),
                                 region: "us-east-2")
        #expect(ignoring.endpoint(for: .sqs) == "https://sqs.us-east-2.amazonaws.com")
        #expect(AWSConfig(environment: Self.env([:]), region: "cn-north-1").endpoint(for: .dynamoDB) == "https://dynamodb.cn-north-1.amazonaws.com.cn")
    }
}

@Suite("AWS standard client context")
struct AWSStandardContextTests {
    @Test func standardContextResolvesEverythingFromTheEnvironment() async throws {
        let env = AWSEnvironment(variables: ["AWS_REGION": "eu-west-3", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
                                             "AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_MAX_ATTEMPTS": "5"],
                                 readFile: { _ in nil })
        let http = FakeHTTP([FakeHTTP.json(200, #"{"QueueUrls":[]}"#)])
        let context = AWSClientContext.standard(http: http, environment: env)
        #expect(context.config.region == "eu-west-3")
        #expect(context.retry.maxAttempts == 5)
        _ = try await SQSClient(context: context).listQueues()
        #expect(http.requests.first?.url == "http://127.0.0.1:5000/")
        #expect(http.requests.first?.headers["Authorization"]?.contains("Credential=AKENV/") == true)
        #expect(http.requests.first?.headers["Authorization"]?.contains("/eu-west-3/sqs/aws4_request") == true)
    }
}
