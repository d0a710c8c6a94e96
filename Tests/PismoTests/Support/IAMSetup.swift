import Transport
@testable import Pismo

/// IAM (AWS query protocol: form-encoded POST, XML response) calls that give moto a user with an
/// allow-all inline policy and an access key. Signed with throwaway keys: moto routes by the
/// credential scope's service and only starts checking signatures after these calls.
enum IAMSetup {
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#

    static func createAllowAllAccessKey(endpoint: String, http: any HTTPExecuting) async throws -> AWSCredentials {
        let user = "pismo-test"
        _ = try await call(endpoint, http, ["Action": "CreateUser", "UserName": user])
        _ = try await call(endpoint, http, ["Action": "PutUserPolicy", "UserName": user, "PolicyName": "all",
                                            "PolicyDocument": policy])
        let xml = try await call(endpoint, http, ["Action": "CreateAccessKey", "UserName": user])
        guard let akid = XMLText.first("AccessKeyId", in: xml), let secret = XMLText.first("SecretAccessKey", in: xml) else {
            throw MotoError.iam("no access key in \(xml.prefix(300))")
        }
        return AWSCredentials(accessKeyID: akid, secretAccessKey: secret, source: "moto IAM")
    }

    /// One query-protocol call (IAM `2010-05-08` unless `version` says otherwise), signed with
    /// `credentials` (throwaway keys while moto still lets requests through unauthenticated).
    static func call(_ endpoint: String, _ http: any HTTPExecuting, _ params: [String: String],
                     service: String = "iam", version: String = "2010-05-08",
                     credentials: AWSCredentials = AWSCredentials(accessKeyID: "AKIDSETUP", secretAccessKey: "setup")) async throws -> String {
        var all = params
        all["Version"] = version
        let form = all.sorted { $0.key < $1.key }.map { URIEncoding.encode($0.key) + "=" + URIEncoding.encode($0.value) }
            .joined(separator: "&")
        var request = HTTPRequest(method: "POST", url: endpoint + "/",
                                  headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]),
                                  body: Array(form.utf8))
        SigV4Signer(service: service, region: "us-east-1").sign(&request, credentials: credentials, time: .now())
        let response = try await http.execute(request, timeout: .seconds(10))
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else { throw MotoError.iam("\(params["Action"] ?? "") HTTP \(response.status): \(text.prefix(300))") }
        return text
    }

    /// Temporary credentials (with a session token) for an allow-all role, through STS AssumeRole.
    static func assumeAllowAllRole(endpoint: String, http: any HTTPExecuting, as user: AWSCredentials) async throws -> AWSCredentials {
        let role = "pismo-role-\(UInt32.random(in: 0...UInt32.max))"
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let created = try await call(endpoint, http, ["Action": "CreateRole", "RoleName": role, "AssumeRolePolicyDocument": trust],
                                     credentials: user)
        _ = try await call(endpoint, http, ["Action": "PutRolePolicy", "RoleName": role, "PolicyName": "all", "PolicyDocument": policy],
                           credentials: user)
        guard let arn = XMLText.first("Arn", in: created) else { throw MotoError.iam("CreateRole returned no Arn") }
        let xml = try await call(endpoint, http, ["Action": "AssumeRole", "RoleArn": arn, "RoleSessionName": "pismo"],
                                 service: "sts", version: "2011-06-15", credentials: user)
        guard let akid = XMLText.first("AccessKeyId", in: xml, within: "Credentials"),
              let secret = XMLText.first("SecretAccessKey", in: xml, within: "Credentials"),
              let token = XMLText.first("SessionToken", in: xml, within: "Credentials") else {
            throw MotoError.iam("AssumeRole returned no credentials: \(xml.prefix(300))")
        }
        return AWSCredentials(accessKeyID: akid, secretAccessKey: secret, sessionToken: token,
                              expiration: XMLText.first("Expiration", in: xml, within: "Credentials").flatMap(AWSTimestamp.init(parsing:)),
                              source: "moto STS AssumeRole")
    }
}
