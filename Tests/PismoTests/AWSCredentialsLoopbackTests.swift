import Foundation
import Testing
import Transport
@testable import Pismo

/// The container and IMDSv2 providers against small fake endpoints on loopback, over our real
/// HTTP client and server (the in-memory variants are in AWSCredentialsTests).
@Suite("AWS credentials from loopback endpoints")
struct AWSCredentialsLoopbackTests {
    static let document = #"{"Code":"Success","AccessKeyId":"ASIALOOP","SecretAccessKey":"ls","Token":"lt","Expiration":"2030-01-01T00:00:00Z"}"#

    func chain(_ vars: [String: String]) -> CredentialChain {
        let env = AWSEnvironment(variables: vars, homeDirectory: "/nonexistent", readFile: { _ in nil })
        return CredentialChain.standard(config: AWSConfig(environment: env, region: "us-east-1"), http: IntegrationHTTP.client)
    }

    @Test func imdsV2OverLoopback() async throws {
        let seen = Locked<[String]>([])
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .sync { request in
            seen.withLock { $0.append("\(request.method) \(request.path) token=\(request.headers["x-aws-ec2-metadata-token"] ?? "-")") }
            switch (request.method, String(request.path)) {
            case ("PUT", "/latest/api/token"):
                return HTTPResponse(status: request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == nil ? 400 : 200, body: Array("T0K".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return HTTPResponse(status: 200, body: Array("loop-role".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/loop-role"):
                return HTTPResponse(status: request.headers["x-aws-ec2-metadata-token"] == "T0K" ? 200 : 401, body: Array(Self.document.utf8))
            default:
                return HTTPResponse(status: 404)
            }
        })
        let credentials = try await chain(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)"]).resolve()
        #expect(credentials?.accessKeyID == "ASIALOOP")
        #expect(credentials?.sessionToken == "lt")
        #expect(seen.withLock { $0 } == ["PUT /latest/api/token token=-", "GET /latest/meta-data/iam/security-credentials/ token=T0K",
                                         "GET /latest/meta-data/iam/security-credentials/loop-role token=T0K"])
        await server.shutdown()
    }

    @Test func containerFullURIOverLoopback() async throws {
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .sync { request in
            request.headers["Authorization"] == "Bearer pod-token"
                ? HTTPResponse(status: 200, body: Array(Self.document.utf8))
                : HTTPResponse(status: 403, body: Array(#"{"message":"bad token"}"#.utf8))
        })
        let url = "http://127.0.0.1:\(server.port)/v2/credentials"
        let ok = try await chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer pod-token"]).resolve()
        #expect(ok?.accessKeyID == "ASIALOOP")
        await #expect(throws: (any Error).self) {
            try await chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"]).resolve()
        }
        await server.shutdown()
    }

    @Test func webIdentityAgainstALoopbackSTS() async throws {
        let forms = Locked<[String]>([])
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), handler: .sync { request in
            forms.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
            guard request.headers["Authorization"] == nil else { return HTTPResponse(status: 400) }
            let xml = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                + "<AccessKeyId>ASIASTS</AccessKeyId><SecretAccessKey>ss</SecretAccessKey><SessionToken>st</SessionToken>"
                + "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                + "</AssumeRoleWithWebIdentityResponse>"
            return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "text/xml")]), body: Array(xml.utf8))
        })
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("pismo-wi-\(server.port)").path
        try "eyJ.loopback.token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let env = AWSEnvironment(variables: ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::1:role/pod",
                                             "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(server.port)"],
                                 homeDirectory: "/nonexistent", readFile: { try? String(contentsOfFile: $0, encoding: .utf8) })
        let credentials = try await CredentialChain.standard(config: AWSConfig(environment: env, region: "us-east-1"),
                                                             http: IntegrationHTTP.client).resolve()
        #expect(credentials?.accessKeyID == "ASIASTS")
        #expect(credentials?.sessionToken == "st")
        let form = try #require(forms.withLock { $0.first })
        #expect(form.contains("Action=AssumeRoleWithWebIdentity"))
        #expect(form.contains("WebIdentityToken=eyJ.loopback.token"))
        await server.shutdown()
    }
}
