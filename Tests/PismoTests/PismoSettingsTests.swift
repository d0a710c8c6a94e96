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
        #expect(throws: PismoSettings.InvalidValue(variable: "PISMO_MAX_ATTEMPTS", value: "0", expected: "an integer from 1 to 1000000")) {
            try PismoSettings.fromEnvironment(["PISMO_MAX_ATTEMPTS": "0"])
        }
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["DIRECT_DISPATCH": "maybe"]) }
        #expect(throws: PismoSettings.InvalidValue.self) { try PismoSettings.fromEnvironment(["PISMO_LOG_LEVEL": "loud"]) }
    }

    // MARK: Durable retries (issue 12)

    @Test func retryDefaults() throws {
        let s = try PismoSettings.fromEnvironment([:])
        #expect(s.retryQueue == "deliver-retry")
        #expect(s.retrySchedule == .standard && s.retrySchedule.description == "5s,5m,30m,2h,5h,10h,10h")
        #expect(s.disableAfter == .seconds(5 * 86_400))
    }

    @Test func retryVariablesOverrideDefaults() throws {
        let s = try PismoSettings.fromEnvironment([
            "PISMO_RETRY_QUEUE": "my-retries", "PISMO_RETRY_SCHEDULE": "1s, 2s,3m", "PISMO_DISABLE_AFTER": "36h",
        ])
        #expect(s.retryQueue == "my-retries")
        #expect(s.retrySchedule.delays == [.seconds(1), .seconds(2), .seconds(180)])
        #expect(s.disableAfter == .seconds(36 * 3600))
    }

    @Test func legacyVariablesDescribeTheScheduleWhenItIsUnset() throws {
        let base = try PismoSettings.fromEnvironment(["PISMO_RETRY_BASE_MS": "100"])
        #expect(base.retrySchedule.delays == [100, 200, 400, 800, 1600, 3200, 6400].map { Duration.milliseconds($0) })
        let attempts = try PismoSettings.fromEnvironment(["PISMO_MAX_ATTEMPTS": "3"])
        #expect(attempts.retrySchedule.delays == [.milliseconds(500), .seconds(1)])
        let cap = try PismoSettings.fromEnvironment(["PISMO_RETRY_MAX_MS": "1500"])
        #expect(cap.retrySchedule.description == "500ms,1s,1500ms,1500ms,1500ms,1500ms,1500ms")
        // The webhook policy runs on that schedule.
        #expect(attempts.deliveryPolicy.maxAttempts == 3 && base.deliveryPolicy.schedule.delays.first == .milliseconds(100))
    }

    @Test func anExplicitScheduleWinsOverLegacyVariables() throws {
        let s = try PismoSettings.fromEnvironment(["PISMO_RETRY_SCHEDULE": "10s", "PISMO_MAX_ATTEMPTS": "3"])
        #expect(s.retrySchedule.delays == [.seconds(10)])
        #expect(s.maxAttempts == 3)
        // Empty counts as unset, like every other variable.
        let empty = try PismoSettings.fromEnvironment(["PISMO_RETRY_SCHEDULE": "", "PISMO_MAX_ATTEMPTS": "2"])
        #expect(empty.retrySchedule.delays == [.milliseconds(500)])
    }

    @Test func invalidRetryValuesNameTheVariable() throws {
        for (variable, value) in [("PISMO_RETRY_SCHEDULE", "5s,,5m"), ("PISMO_RETRY_SCHEDULE", "5x"),
                                  ("PISMO_DISABLE_AFTER", "0s"), ("PISMO_DISABLE_AFTER", "5 days")] {
            #expect {
                try PismoSettings.fromEnvironment([variable: value])
            } throws: { error in
                guard let invalid = error as? PismoSettings.InvalidValue else { return false }
                return invalid.variable == variable && invalid.value == value
            }
        }
        do {
            _ = try PismoSettings.fromEnvironment(["PISMO_RETRY_SCHEDULE": "5s,5x"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("item 2 '5x' has an unknown unit"))
        }
        // Values that worked before schedules existed keep working; the schedule is clamped.
        #expect(try PismoSettings.fromEnvironment(["PISMO_MAX_ATTEMPTS": "101"]).retrySchedule.maxAttempts == 101)
        #expect(try PismoSettings.fromEnvironment(["PISMO_MAX_ATTEMPTS": "1000"]).retrySchedule.maxAttempts == 101)
    }
}
