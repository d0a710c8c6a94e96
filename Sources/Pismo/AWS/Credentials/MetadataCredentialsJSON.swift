import PismoJSON

/// The JSON both the container agent and IMDS return:
/// `{"AccessKeyId": …, "SecretAccessKey": …, "Token": …, "Expiration": "2026-11-26T22:00:00Z"}`.
/// Its own file so the decoder can be fuzzed without the providers (scripts/fuzz-aws.sh).
enum MetadataCredentialsJSON {
    static func parse(_ body: [UInt8], source: String) throws -> AWSCredentials {
        guard let doc = try? JSONDocument(bytes: body) else { throw CredentialError("\(source) returned invalid JSON") }
        if let code = doc.root["Code"]?.string, code != "Success" {
            throw CredentialError("\(source) reported \(code): \(doc.root["Message"]?.string ?? "")")
        }
        guard let akid = doc.root["AccessKeyId"]?.string, let secret = doc.root["SecretAccessKey"]?.string else {
            throw CredentialError("\(source) returned no AccessKeyId/SecretAccessKey")
        }
        return AWSCredentials(accessKeyID: akid, secretAccessKey: secret, sessionToken: doc.root["Token"]?.string,
                              expiration: doc.root["Expiration"]?.string.flatMap(AWSTimestamp.init(parsing:)),
                              source: source)
    }
}
