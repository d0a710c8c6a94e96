import Testing
import Transport
@testable import Pismo

@Suite("AWS credential providers and chain")
struct AWSCredentialsTests {
    static func env(_ vars: [String: String], files: [String: String] = [:]) -> AWSEnvironment {
        AWSEnvironment(variables: vars, homeDirectory: "/home/p", readFile: { files[$0] })
    }
    static let noHTTP = FakeHTTP(fallback: .refuse)

    static func chain(_ env: AWSEnvironment, http: FakeHTTP = noHTTP) -> CredentialChain {
        CredentialChain.standard(config: AWSConfig(environment: env, region: "us-east-1"), http: http)
    }

    @Test func environmentComesFirst() async throws {
        let c = try await Self.chain(Self.env(["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK",
                                               "AWS_SESSION_TOKEN": "TOK", "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T00:00:00Z"])).resolve()
        #expect(c?.accessKeyID == "AK")
        #expect(c?.sessionToken == "TOK")
        #expect(c?.expiration?.amzDate == "20300101T000000Z")
        #expect(c?.description.contains("SK") == false, "the secret never prints")
    }

    @Test func halfConfiguredEnvironmentIsAClearError() async throws {
        let error = await #expect(throws: CredentialError.self) {
            try await Self.chain(Self.env(["AWS_ACCESS_KEY_ID": "AK"])).resolve()
        }
        #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test func sharedCredentialsFileThenConfigFile() async throws {
        let files = ["/home/p/.aws/credentials": "[default]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s1\n[other]\naws_access_key_id=O\naws_secret_access_key=o",
                     "/home/p/.aws/config": "[profile cfgonly]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = s2"]
        #expect(try await Self.chain(Self.env([:], files: files)).resolve()?.accessKeyID == "FROMCREDS")
        #expect(try await Self.chain(Self.env(["AWS_PROFILE": "other"], files: files)).resolve()?.accessKeyID == "O")
        #expect(try await Self.chain(Self.env(["AWS_PROFILE": "cfgonly"], files: files)).resolve()?.accessKeyID == "FROMCONFIG")
        let custom = try await Self.chain(Self.env(["AWS_SHARED_CREDENTIALS_FILE": "/run/creds"],
                                                   files: ["/run/creds": "[default]\naws_access_key_id=C\naws_secret_access_key=c"])).resolve()
        #expect(custom?.accessKeyID == "C")
        // An explicit profile beats environment keys (as in the SDKs).
        let explicit = try await Self.chain(Self.env(["AWS_PROFILE": "other", "AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e"],
                                                     files: files)).resolve()
        #expect(explicit?.accessKeyID == "O")
    }

    @Test func webIdentityCallsSTSUnsignedAndParsesXML() async throws {
        let xml = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <Credentials>
              <SessionToken>tok&amp;en</SessionToken>
              <SecretAccessKey>wsecret</SecretAccessKey>
              <Expiration>2030-05-01T12:00:00Z</Expiration>
              <AccessKeyId>ASIAWEB</AccessKeyId>
            </Credentials>
          </AssumeRoleWithWebIdentityResult>
        </AssumeRoleWithWebIdentityResponse>
        """
        let http = FakeHTTP([.status(200, body: Array(xml.utf8))])
        let env = Self.env(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
                            "AWS_ROLE_SESSION_NAME": "s1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:7"],
                           files: ["/var/run/token": "eyJtoken\n"])
        let c = try await Self.chain(env, http: http).resolve()
        #expect(c?.accessKeyID == "ASIAWEB")
        #expect(c?.sessionToken == "tok&en")
        #expect(c?.expiration?.amzDate == "20300501T120000Z")
        let r = try #require(http.requests.first)
        #expect(r.url == "http://127.0.0.1:7/")
        #expect(r.headers["Authorization"] == nil, "AssumeRoleWithWebIdentity is unsigned")
        let form = String(decoding: r.body, as: UTF8.self)
        #expect(form.contains("Action=AssumeRoleWithWebIdentity"))
        #expect(form.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"))
        #expect(form.contains("WebIdentityToken=eyJtoken&") || form.hasSuffix("WebIdentityToken=eyJtoken"))
    }

    @Test func webIdentityRefusalNamesTheSTSError() async throws {
        let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>bad jwt</Message></Error></ErrorResponse>"
        let http = FakeHTTP([.status(400, body: Array(xml.utf8))])
        let env = Self.env(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:r"], files: ["/t": "x"])
        let error = await #expect(throws: CredentialError.self) { try await Self.chain(env, http: http).resolve() }
        #expect(error?.description.contains("InvalidIdentityToken") == true)
        #expect(error?.description.contains("web identity") == true)
    }

    @Test func containerRelativeAndFullURIWithTokenFile() async throws {
        let body = #"{"AccessKeyId":"ASIACONT","SecretAccessKey":"cs","Token":"ct","Expiration":"2030-01-01T00:00:00Z"}"#
        let http = FakeHTTP([.status(200, body: Array(body.utf8)),
                             .status(200, body: Array(body.utf8))])
        let rel = try await Self.chain(Self.env(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds/abc",
                                                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic t1"]), http: http).resolve()
        #expect(rel?.accessKeyID == "ASIACONT")
        #expect(http.requests[0].url == "http://169.254.170.2/v2/creds/abc")
        #expect(http.requests[0].headers["Authorization"] == "Basic t1")
        _ = try await Self.chain(Self.env(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:8123/creds",
                                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/tok"], files: ["/tok": "filetoken\n"]),
                                 http: http).resolve()
        #expect(http.requests[1].url == "http://127.0.0.1:8123/creds")
        #expect(http.requests[1].headers["Authorization"] == "filetoken")
        let refused = await #expect(throws: CredentialError.self) {
            try await Self.chain(Self.env(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example.com/x"])).resolve()
        }
        #expect(refused?.description.contains("loopback") == true)
    }

    @Test func imdsV2TokenThenRoleThenCredentials() async throws {
        let creds = #"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"is","Token":"it","Expiration":"2030-01-01T00:00:00Z"}"#
        let http = FakeHTTP([
            .answer { r in HTTPResponse(status: r.method == "PUT" ? 200 : 500, body: Array("TOKEN123".utf8)) },
            .status(200, body: Array("my-role\n".utf8)),
            .status(200, body: Array(creds.utf8)),
        ])
        let c = try await Self.chain(Self.env(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"]), http: http).resolve()
        #expect(c?.accessKeyID == "ASIAIMDS")
        let r = http.requests
        #expect(r.map(\.url) == ["http://127.0.0.1:1338/latest/api/token",
                                 "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/",
                                 "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/my-role"])
        #expect(r[0].headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
        #expect(r[2].headers["x-aws-ec2-metadata-token"] == "TOKEN123")
    }

    @Test func imdsV1FallbackWhenTokenRefused() async throws {
        let creds = #"{"AccessKeyId":"V1","SecretAccessKey":"s"}"#
        let http = FakeHTTP([.status(405), .status(200, body: Array("r".utf8)),
                             .status(200, body: Array(creds.utf8))])
        let c = try await Self.chain(Self.env([:]), http: http).resolve()
        #expect(c?.accessKeyID == "V1")
        #expect(http.requests[1].headers["x-aws-ec2-metadata-token"] == nil)
    }

    @Test func nothingConfiguredListsEverySourceTried() async throws {
        let error = await #expect(throws: CredentialError.self) {
            try await Self.chain(Self.env(["AWS_EC2_METADATA_DISABLED": "true"])).resolve()
        }
        let text = error?.description ?? ""
        for source in ["environment", "web identity", "shared files", "container", "instance metadata"] {
            #expect(text.contains(source), "mentions \(source)")
        }
    }

    @Test func cacheRefreshesBeforeExpiryAndSharesOneFetch() async throws {
        let now = Locked<Int64>(1_000_000)
        let clock = AWSClock(wallClock: { now.withLock { $0 } })
        let source = CountingProvider(expiresAt: 1_000_000 + 3600)
        let cache = CachedCredentialProvider(source, clock: clock, refreshAheadSeconds: 300)
        async let a = cache.credentials()
        async let b = cache.credentials()
        _ = try await (a, b)
        #expect(source.calls == 1)
        now.withLock { $0 += 3000 }  // 10 min before expiry: still fine
        _ = try await cache.credentials()
        #expect(source.calls == 1)
        now.withLock { $0 += 400 }   // inside the 5-minute refresh window
        _ = try await cache.credentials()
        #expect(source.calls == 2)
    }
}

final class CountingProvider: AWSCredentialProvider {
    let expiresAt: Int64
    private let count = Locked(0)
    var name: String { "counting" }
    var calls: Int { count.withLock { $0 } }
    init(expiresAt: Int64) { self.expiresAt = expiresAt }
    func resolve() async throws -> AWSCredentials? {
        let n = count.withLock { $0 += 1; return $0 }
        return AWSCredentials(accessKeyID: "K\(n)", secretAccessKey: "s", expiration: AWSTimestamp(secondsSince1970: expiresAt + Int64(n - 1) * 3600))
    }
}
