import Transport

/// STS `AssumeRoleWithWebIdentity`'s answer (query protocol, XML): the credentials inside
/// `<Credentials>`, or the `<Code>`/`<Message>` of a refusal. Its own file so the decoder can be
/// fuzzed without the provider (scripts/fuzz-aws.sh).
enum AssumeRoleWithWebIdentityXML {
    static func parse(_ response: HTTPResponse, roleARN: String) throws -> AWSCredentials {
        let xml = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let code = XMLText.first("Code", in: xml) ?? "HTTP \(response.status)"
            let message = XMLText.first("Message", in: xml) ?? ""
            throw CredentialError("STS AssumeRoleWithWebIdentity for \(roleARN) refused: \(code) \(message)")
        }
        guard let akid = XMLText.first("AccessKeyId", in: xml, within: "Credentials"),
              let secret = XMLText.first("SecretAccessKey", in: xml, within: "Credentials") else {
            throw CredentialError("STS AssumeRoleWithWebIdentity response has no Credentials")
        }
        return AWSCredentials(accessKeyID: akid, secretAccessKey: secret,
                              sessionToken: XMLText.first("SessionToken", in: xml, within: "Credentials"),
                              expiration: XMLText.first("Expiration", in: xml, within: "Credentials").flatMap(AWSTimestamp.init(parsing:)),
                              source: "web identity \(roleARN)")
    }
}
