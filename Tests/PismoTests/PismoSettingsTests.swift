import Testing
@testable import Pismo

@Suite struct PismoSettingsTests {
    @Test func defaultsMatchTheContract() throws {
        let s = try PismoSettings.fromEnvironment([:])
        #expect(s.eventsQueue == "events")
        #expect(s.eventsDLQ == "events-dlq")
        #expect(s.deliverDLQ == "deliver-dlq")
        #expect(s.eventsTable == "Events")
        #expect(s.routesTable == "routes")
        #expect(s.leasesTable == "pismo-leases")
        #expect(s.schemaPath == "schema/event_schema.json")
        #expect(s.directDispatch == false)
        #expect(s.maxAttempts == 8 && s.retryBaseMilliseconds == 500)
        #expect(s.retryMaxMilliseconds == 60_000 && s.deliveryTimeoutMilliseconds == 10_000)
        #expect(s.logLevel == "info" && s.metricsAddress == nil)
    }

    @Test func environmentOverridesDefaults() throws {
        let s = try PismoSettings.fromEnvironment([
            "PISMO_EVENTS_QUEUE": "https://sqs.us-east-1.amazonaws.com/1/q", "DIRECT_DISPATCH": "true",
            "PISMO_MAX_ATTEMPTS": "3", "PISMO_METRICS_ADDR": "127.0.0.1:9999", "PISMO_LOG_LEVEL": "debug",
        ])
        #expect(s.eventsQueue == "https://sqs.us-east-1.amazonaws.com/1/q")
        #expect(s.directDispatch && s.maxAttempts == 3)
        #expect(s.metricsAddress == "127.0.0.1:9999" && s.logLevel == "debug")
        #expect(s.deliveryPolicy.maxAttempts == 3)
    }

    @Test func invalidValuesNameTheVariable() {
        #expect(throws: PismoSettings.InvalidValue(variable: "PISMO_MAX_ATTEMPTS", value: "0", expected: "an integer >= 1")) {
            try PismoSettings.fromEnvironment(["PISMO_MAX_ATTEMPTS": "0"])
        }
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["DIRECT_DISPATCH": "maybe"]) }
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["PISMO_LOG_LEVEL": "loud"]) }
    }
}
