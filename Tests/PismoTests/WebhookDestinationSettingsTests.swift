import Testing
import Transport
@testable import Pismo

/// `PISMO_WEBHOOK_ALLOW_NETS` and `PISMO_WEBHOOK_HTTPS_ONLY`: defaults, parsing, and a clear error
/// at start for a bad entry.
@Suite struct WebhookDestinationSettingsTests {
    @Test func defaultsRefuseEveryInternalClassAndAllowPlainHTTP() throws {
        let s = try PismoSettings.fromEnvironment([:])
        #expect(s.webhookAllowNets.isEmpty && !s.webhookHTTPSOnly)
        #expect(s.webhookDestinationPolicy.rule(for: try #require(IPAddress("127.0.0.1"))) == .loopback)
    }

    @Test func readsBothVariables() throws {
        let s = try PismoSettings.fromEnvironment([
            "PISMO_WEBHOOK_ALLOW_NETS": "127.0.0.1/32, 10.0.0.0/8,,fd00::/8 ,::1", "PISMO_WEBHOOK_HTTPS_ONLY": "true",
        ])
        #expect(s.webhookAllowNets.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "::1/128"])
        #expect(s.webhookHTTPSOnly)
        let policy = s.webhookDestinationPolicy
        #expect(policy.httpsOnly)
        #expect(policy.rule(for: try #require(IPAddress("10.9.8.7"))) == nil)
        #expect(policy.rule(for: try #require(IPAddress("127.0.0.2"))) == .loopback)
    }

    @Test func aBadEntryIsAnErrorNamingTheVariableAndTheEntry() {
        for bad in ["127.0.0.1/33", "10.1.2.3/8", "localhost", "127.1/32", "10.0.0.0/8;fd00::/8"] {
            do {
                _ = try PismoSettings.fromEnvironment(["PISMO_WEBHOOK_ALLOW_NETS": "::1/128," + bad])
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.variable == "PISMO_WEBHOOK_ALLOW_NETS")
                #expect(error.description.contains("'\(bad)' is not a CIDR block"), "\(error)")
            }
        }
        #expect(throws: PismoSettings.InvalidValue(variable: "PISMO_WEBHOOK_HTTPS_ONLY", value: "sometimes", expected: "true or false")) {
            try PismoSettings.fromEnvironment(["PISMO_WEBHOOK_HTTPS_ONLY": "sometimes"])
        }
    }

    /// The production wiring guards webhooks and never AWS (moto answers on loopback).
    @Test func onlyTheWebhookClientIsGuarded() throws {
        let settings = try PismoSettings.fromEnvironment(["PISMO_WEBHOOK_ALLOW_NETS": "127.0.0.1/32"])
        let wiring = Wiring.production(settings)
        let webhooks = try #require(wiring.webhookHTTP as? HTTPClient)
        #expect(webhooks.configuration.destinationPolicy == settings.webhookDestinationPolicy)
        #expect(HTTPClient.forServices().configuration.destinationPolicy == nil)
    }
}
