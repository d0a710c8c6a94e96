import Testing
@testable import Pismo

@Suite struct RouteItemTests {
    @Test func aLegacyItemIsOneDefaultEndpoint() throws {
        let item: DynamoDBItem = ["client_id": .s("acme"), "url": .s("http://sink/a"), "secret": .s(SecretRotationTests.vectorSecret),
                                  "failing_since": .n("123")]
        let route = try #require(RouteItem.route(from: item))
        #expect(route == Route(url: "http://sink/a", secret: SecretRotationTests.vectorSecret, failingSinceMillis: 123))
        // Written back, it is the same legacy item: instances that predate endpoints read it unchanged.
        #expect(RouteItem.item(clientID: "acme", route: route) == item)
    }

    @Test func endpointsRoundTripWithEverySetting() throws {
        let billing = Endpoint(id: "billing", url: "https://b.example/h", secrets: [SecretRotationTests.otherSecret, SecretRotationTests.vectorSecret],
                               secretExpiryMillis: [SecretFingerprint.of(SecretRotationTests.vectorSecret): 99],
                               eventTypes: ["invoice.paid"], ratePerSecond: 2.5, timeout: .milliseconds(1500),
                               headers: ["X-Team": "billing"], disabledAt: "2026-01-01T00:00:00.000Z", disabledReason: "gone",
                               failingSinceMillis: 7)
        let route = Route(endpoints: [Endpoint(url: "http://sink/a"), billing])
        let item = RouteItem.item(clientID: "acme", route: route)
        #expect(item["endpoints"]?.list?.count == 1)
        #expect(RouteItem.route(from: item) == route)
    }

    @Test func anItemWithOnlyEndpointsHasNoDefaultAndDuplicatesOrIncompleteMapsAreSkipped() throws {
        let item: DynamoDBItem = ["client_id": .s("acme"), "endpoints": .l([
            .m(["id": .s("a"), "url": .s("http://sink/a")]),
            .m(["id": .s("a"), "url": .s("http://sink/other")]),
            .m(["url": .s("http://sink/no-id")]),
            .s("not a map"),
        ])]
        let route = try #require(RouteItem.route(from: item))
        #expect(route.endpoints.map(\.id) == ["a"])
        #expect(route.endpoints[0].url == "http://sink/a")
        #expect(RouteItem.route(from: ["client_id": .s("acme")]) == nil)
    }

    @Test func aRotatedDefaultKeepsTheCurrentSecretWhereOldInstancesReadIt() {
        let route = Route(endpoints: [Endpoint(url: "http://sink/a", secrets: [SecretRotationTests.otherSecret, SecretRotationTests.vectorSecret])])
        let item = RouteItem.item(clientID: "acme", route: route)
        #expect(item["secret"] == .s(SecretRotationTests.otherSecret))
        #expect(item["secrets"]?.list?.count == 2)
    }
}
