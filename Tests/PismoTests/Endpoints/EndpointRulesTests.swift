import Testing
@testable import Pismo

@Suite struct EndpointRulesTests {
    func violation(_ endpoint: Endpoint) -> EndpointRules.Violation? {
        do { try EndpointRules.check(endpoint); return nil } catch { return error }
    }

    @Test func aPlainEndpointPasses() {
        #expect(violation(Endpoint(id: "billing-1", url: "https://hooks.example/x", secrets: [SecretRotationTests.vectorSecret],
                                   eventTypes: ["a"], ratePerSecond: 5, timeout: .milliseconds(2500),
                                   headers: ["Authorization": "Bearer t", "X-Team": "billing"])) == nil)
    }

    @Test(arguments: ["content-type", "Content-Length", "host", "webhook-signature", "Webhook-Id", "svix-signature", "user-agent",
                      "transfer-encoding", "pismo-anything"])
    func reservedHeadersAreRefused(name: String) {
        guard case .header = violation(Endpoint(url: "http://sink/x", headers: [name: "v"])) else {
            Issue.record("\(name) was accepted")
            return
        }
    }

    @Test func headerValuesCannotInjectLinesAndNamesMustBeTokens() {
        for (name, value) in [("X-A", "ok\r\nX-Injected: 1"), ("X-A", "a\nb"), ("X A", "v"), ("X:A", "v"), ("", "v")] {
            guard case .header = violation(Endpoint(url: "http://sink/x", headers: [name: value])) else {
                Issue.record("\(name)=\(value) was accepted")
                continue
            }
        }
    }

    @Test func idsURLsRatesTimeoutsFiltersAndSecretsAreChecked() {
        #expect(violation(Endpoint(id: "", url: "http://sink/x")) == .id("endpoint id must be 1–64 characters of A–Z, a–z, 0–9, '-', '_' or '.', got ''"))
        guard case .id = violation(Endpoint(id: "a/b", url: "http://sink/x")) else { Issue.record("id with a slash"); return }
        guard case .url = violation(Endpoint(url: "http://user:pw@sink/x")) else { Issue.record("userinfo URL"); return }
        guard case .url = violation(Endpoint(url: "ftp://sink/x")) else { Issue.record("ftp URL"); return }
        guard case .rate = violation(Endpoint(url: "http://sink/x", ratePerSecond: 0)) else { Issue.record("rate 0"); return }
        guard case .rate = violation(Endpoint(url: "http://sink/x", ratePerSecond: .nan)) else { Issue.record("rate NaN"); return }
        guard case .timeout = violation(Endpoint(url: "http://sink/x", timeout: .milliseconds(5))) else { Issue.record("5 ms"); return }
        guard case .timeout = violation(Endpoint(url: "http://sink/x", timeout: .seconds(3600))) else { Issue.record("1 h"); return }
        guard case .eventTypes = violation(Endpoint(url: "http://sink/x", eventTypes: [])) else { Issue.record("empty filter"); return }
        let bad = violation(Endpoint(url: "http://sink/x", secrets: ["nope"]))
        #expect(bad?.deadLetterCode == .badSecret)
    }

    @Test func filtersTakeTheirTypesAndNoFilterTakesEveryType() {
        let billing = Endpoint(id: "billing", url: "http://sink/b", eventTypes: ["invoice.paid", "invoice.failed"])
        let all = Endpoint(id: "all", url: "http://sink/a")
        let route = Route(endpoints: [billing, all])
        #expect(route.endpoints(for: "invoice.paid").map(\.id) == ["billing", "all"])
        #expect(route.endpoints(for: "user.created").map(\.id) == ["all"])
        #expect(!billing.accepts(eventType: "invoice"))
    }
}
