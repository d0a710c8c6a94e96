import Foundation
import Testing
@testable import Pismo

@Suite struct SecretRotationTests {
    static let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let vectorBody = Array(#"{"test": 2432232314}"#.utf8)
    static let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let otherSecret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()

    @Test func severalSecretsSignOnePerSecretCurrentFirst() throws {
        let signer = try WebhookSigner(secrets: [Self.otherSecret, Self.vectorSecret])
        let header = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Self.vectorBody)
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2)
        // The published vector is the second signature: a receiver holding only the old secret verifies.
        #expect(parts[1] == Self.vectorSignature)
        let alone = try WebhookSigner(secret: Self.otherSecret).signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                                           body: Self.vectorBody)
        #expect(parts[0] == alone)
    }

    @Test func aReceiverHoldingEitherSecretVerifiesAndOneHoldingNeitherDoesNot() throws {
        let header = try WebhookSigner(secrets: [Self.otherSecret, Self.vectorSecret]).signature(id: "e1", timestamp: 42, body: [1, 2, 3])
        #expect(StandardWebhooksVerifier(secret: Self.vectorSecret).verifies(id: "e1", timestamp: "42", body: [1, 2, 3], header: header))
        #expect(StandardWebhooksVerifier(secret: Self.otherSecret).verifies(id: "e1", timestamp: "42", body: [1, 2, 3], header: header))
        let stranger = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
        #expect(!StandardWebhooksVerifier(secret: stranger).verifies(id: "e1", timestamp: "42", body: [1, 2, 3], header: header))
        #expect(!StandardWebhooksVerifier(secret: Self.vectorSecret).verifies(id: "e1", timestamp: "43", body: [1, 2, 3], header: header))
    }

    @Test func aRotatedOutSecretSignsUntilItsOverlapEnds() {
        let old = Self.vectorSecret, new = Self.otherSecret
        let endpoint = Endpoint(url: "http://sink/x", secrets: [new, old], secretExpiryMillis: [SecretFingerprint.of(old): 2_000])
        #expect(endpoint.signingSecrets(nowMillis: 1_999) == [new, old])
        #expect(endpoint.signingSecrets(nowMillis: 2_000) == [new])
        // The current secret signs even with an expiry recorded against it: signed never turns unsigned.
        let mistaken = Endpoint(url: "http://sink/x", secrets: [new], secretExpiryMillis: [SecretFingerprint.of(new): 1])
        #expect(mistaken.signingSecrets(nowMillis: 5_000) == [new])
    }

    @Test func fingerprintsAreShortStableAndRevealNothingOfTheSecret() {
        let fingerprint = SecretFingerprint.of(Self.vectorSecret)
        #expect(fingerprint.count == 8)
        #expect(fingerprint == SecretFingerprint.of(Self.vectorSecret))
        #expect(fingerprint != SecretFingerprint.of(Self.otherSecret))
        #expect(!Self.vectorSecret.contains(fingerprint))
    }

    @Test func generatedSecretsAreValidAndDistinct() throws {
        let a = RouteAdmin.generateSecret(), b = RouteAdmin.generateSecret()
        #expect(a != b)
        _ = try WebhookSigner(secret: a)
        #expect(Data(base64Encoded: String(a.dropFirst(6)))?.count == 32)
    }
}
