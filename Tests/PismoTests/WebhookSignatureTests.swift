import Testing
@testable import Pismo

@Suite struct WebhookSignatureTests {
    // The Standard Webhooks reference libraries' published test vector.
    @Test func matchesTheStandardWebhooksVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                         body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func aDifferentBodyChangesTheSignature() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let a = signer.signature(id: "id", timestamp: 1, body: Array("{}".utf8))
        let b = signer.signature(id: "id", timestamp: 1, body: Array("{ }".utf8))
        #expect(a != b)
    }

    @Test func rejectsMalformedSecrets() {
        #expect(throws: WebhookSigner.SecretError.missingPrefix) { try WebhookSigner(secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }
        #expect(throws: WebhookSigner.SecretError.notBase64) { try WebhookSigner(secret: "whsec_***") }
    }
}
