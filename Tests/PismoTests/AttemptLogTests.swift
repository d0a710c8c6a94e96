import PismoJSON
import Testing
@testable import Pismo

/// The attempt log's pure parts: which attempts each mode keeps, the settings, and the attempts
/// table's key and row.
@Suite struct AttemptLogTests {
    @Test(arguments: [
        (AttemptLogMode.failures, false, 1, true), (.failures, true, 1, false), (.failures, true, 2, true), (.failures, false, 3, true),
        (.all, true, 1, true), (.all, false, 1, true),
        (.off, false, 1, false), (.off, true, 2, false),
    ])
    func modeFilter(mode: AttemptLogMode, delivered: Bool, attempt: Int, kept: Bool) {
        #expect(mode.keeps(delivered: delivered, attempt: attempt) == kept)
        #expect(mode.keeps(.sample(attempt: attempt, delivered: delivered)) == kept)
    }

    @Test func settingsDefaultsAndOverrides() throws {
        let defaults = try PismoSettings.fromEnvironment([:])
        #expect(defaults.attemptsTable == "pismo-attempts" && defaults.attemptLog == .failures && defaults.attemptLogDays == 30)
        let set = try PismoSettings.fromEnvironment(["PISMO_ATTEMPTS_TABLE": "a", "PISMO_ATTEMPT_LOG": "ALL", "PISMO_ATTEMPT_LOG_DAYS": "7"])
        #expect(set.attemptsTable == "a" && set.attemptLog == .all && set.attemptLogDays == 7)
        #expect(try PismoSettings.fromEnvironment(["PISMO_ATTEMPT_LOG": "off"]).attemptLog == .off)
    }

    @Test func badSettingsNameTheVariable() {
        #expect(throws: PismoSettings.InvalidValue(variable: "PISMO_ATTEMPT_LOG", value: "some", expected: "failures, all, off")) {
            try PismoSettings.fromEnvironment(["PISMO_ATTEMPT_LOG": "some"])
        }
        #expect(throws: PismoSettings.InvalidValue(variable: "PISMO_ATTEMPT_LOG_DAYS", value: "0", expected: "an integer from 1 to 36500")) {
            try PismoSettings.fromEnvironment(["PISMO_ATTEMPT_LOG_DAYS": "0"])
        }
    }

    @Test func offBuildsNoLog() throws {
        var settings = PismoSettings()
        let aws = PismoAWS(context: AWSTestContext.make(FakeHTTP(byURL: [:])))
        #expect(Wiring(settings: settings, aws: aws, webhookHTTP: FakeHTTP(byURL: [:])).attemptLog != nil)
        settings.attemptLog = .off
        #expect(Wiring(settings: settings, aws: aws, webhookHTTP: FakeHTTP(byURL: [:])).attemptLog == nil)
    }

    @Test func keyIsTimeThenEventEndpointAttempt() {
        let record = AttemptRecord.sample("evt-9", attempt: 3, at: 1_796_083_200_123, endpoint: "billing")
        #expect(AttemptsTable.key(record) == "1796083200123#evt-9#billing#3")
        #expect(AttemptsTable.key(.sample(at: 42)) == "0000000000042#e1#default#1")
        #expect(AttemptsTable.timePrefix(7) == "0000000000007")
    }

    /// Keys sort as their times do (the zero padding), and the `since` bound keeps exactly the attempts
    /// at or after it — whatever the event id (a "#" sorts below every digit and letter of an id).
    @Test func keysSortByTimeAndSinceBoundsThem() {
        let times: [Int64] = [0, 9, 10, 999, 1_000, 99_999_999_999, 1_700_000_000_000, 1_796_083_200_000, 1_796_083_200_001]
        let events = ["", "0", "zzz", "~~", "a#b"]
        var records: [AttemptRecord] = []
        for (i, time) in times.enumerated() { records.append(.sample(events[i % events.count], attempt: 10 - i, at: time)) }
        let byKey = records.sorted { AttemptsTable.key($0) < AttemptsTable.key($1) }
        #expect(byKey.map(\.atMillis) == times)
        for since in times + [5, 1_796_083_199_999] {
            let bound = AttemptsTable.timePrefix(since)
            #expect(records.filter { AttemptsTable.key($0) >= bound }.map(\.atMillis) == times.filter { $0 >= since }, "since \(since)")
        }
    }

    @Test func rowCarriesTheContractsAttributes() {
        var failed = AttemptRecord.sample("e1", attempt: 2, at: 1_796_083_200_123)
        failed.latency = .microseconds(45_999)
        let row = AttemptsTable.row(failed, retentionDays: 30)
        #expect(row[AttemptsTable.clientID] == .s("acme"))
        #expect(row[AttemptsTable.attemptKey] == .s("1796083200123#e1#default#2"))
        #expect(row[AttemptsTable.eventID] == .s("e1") && row[AttemptsTable.endpointID] == .s("default"))
        #expect(row[AttemptsTable.attempt] == .n("2") && row[AttemptsTable.status] == .n("503"))
        #expect(row[AttemptsTable.at] == .s("2026-12-01T00:00:00.123Z"))
        #expect(row[AttemptsTable.latencyMillis] == .n("45"))
        #expect(row[AttemptsTable.response] == .s("down for maintenance"))
        #expect(row[AttemptsTable.delivered] == .bool(false))
        #expect(row[AttemptsTable.expiresAt] == .n(String(1_796_083_200 + 30 * 86_400)))
        #expect(row[AttemptsTable.error] == nil)
        #expect(AttemptsTable.record(row) == AttemptRecord(
            clientID: "acme", eventID: "e1", endpointID: "default", attempt: 2, atMillis: 1_796_083_200_123, status: 503, error: nil,
            latency: .milliseconds(45), responseExcerpt: Array("down for maintenance".utf8), delivered: false))
    }

    @Test func transportErrorsHaveNoStatusAndEmptyBodiesNoResponse() {
        let record = AttemptRecord(clientID: "c", eventID: "e", endpointID: "x", attempt: 1, atMillis: 5, status: nil,
                                   error: "timeout after 10000 ms", latency: .seconds(10), responseExcerpt: [], delivered: false)
        let row = AttemptsTable.row(record, retentionDays: 1)
        #expect(row[AttemptsTable.status] == nil && row[AttemptsTable.response] == nil)
        #expect(row[AttemptsTable.error] == .s("timeout after 10000 ms"))
        #expect(AttemptsTable.record(row) == record)
    }

    /// At most 1 KB is kept; a body cut inside a multi-byte character, or not UTF-8 at all, is stored
    /// as lossy UTF-8 (replacement characters) rather than refused.
    @Test func responseExcerptIsOneKilobyteOfLossyUTF8() {
        let long = AttemptRecord(clientID: "c", eventID: "e", endpointID: "x", attempt: 1, atMillis: 5, status: 500, error: nil,
                                 latency: .zero, responseExcerpt: Array(repeating: UInt8(ascii: "a"), count: 1023) + Array("é and more".utf8),
                                 delivered: false)
        #expect(long.responseExcerpt.count == 1024)
        let stored = AttemptsTable.row(long, retentionDays: 1)[AttemptsTable.response]?.string
        #expect(stored == String(repeating: "a", count: 1023) + "\u{FFFD}")
    }

    @Test func tableListsOneAttemptPerLineWithinTheWidth() {
        var timeout = AttemptRecord.sample("evt-2", attempt: 2, at: 1_796_083_260_000)
        timeout.status = nil
        timeout.error = "timeout after 10000 ms"
        timeout.responseExcerpt = []
        var html = AttemptRecord.sample("evt-1", attempt: 1)
        html.responseExcerpt = Array("<html>\n  <body>\u{1B}[31mBad gateway</body>\n</html>".utf8) + Array(repeating: UInt8(ascii: "x"), count: 300)
        let lines = AttemptListing.table([html, timeout, .sample("evt-2", attempt: 3, delivered: true, at: 1_796_083_320_000)], width: 120)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("TIME") && lines[0].hasSuffix("RESPONSE"))
        #expect(lines.allSatisfy { $0.count <= 120 })
        #expect(lines[1].contains("2026-12-01T00:00:00.000Z  evt-1  default") && lines[1].contains("503"))
        #expect(lines[1].hasSuffix("  <html> <body> [31mBad gateway</bod…"), "\(lines[1])")
        #expect(!lines[1].contains("\u{1B}") && !lines[1].contains("\n"))
        #expect(lines[2].contains("timeout after 10000 ms"))
        #expect(lines[3].contains("200 delivered") && lines[3].hasSuffix("ok"))
    }

    @Test func jsonLineHasTheTablesNames() {
        let line = AttemptListing.jsonLine(.sample("e\"1", attempt: 2, at: 1_796_083_200_000))
        #expect(line == #"{"at":"2026-12-01T00:00:00.000Z","client_id":"acme","event_id":"e\"1","endpoint_id":"default","attempt":2,"status":503,"latency_ms":12,"delivered":false,"response":"down for maintenance"}"#)
    }
}

/// The attempts table's writer on a scripted DynamoDB: one BatchWriteItem per batch; what DynamoDB
/// keeps handing back after three rounds is reported, not retried forever.
@Suite struct DynamoDBAttemptLogWriterTests {
    @Test func reportsWhatStaysUnprocessedAfterThreeRounds() async throws {
        let unprocessed = #"{"UnprocessedItems":{"att":[{"PutRequest":{"Item":{"client_id":{"S":"acme"}}}},{"PutRequest":{"Item":{"client_id":{"S":"acme"}}}}]}}"#
        let http = FakeHTTP([FakeHTTP.json(200, unprocessed), FakeHTTP.json(200, unprocessed), FakeHTTP.json(200, unprocessed)])
        let writer = DynamoDBAttemptLogWriter(dynamo: DynamoDBClient(context: AWSTestContext.make(http)), table: "att", retentionDays: 30)
        let left = try await writer.write((0..<5).map { AttemptRecord.sample("e\($0)") })
        #expect(left == 2)
        #expect(http.requests.count == 3)
    }

    /// DynamoDB refuses a whole batch naming one key twice: the same attempt recorded twice is sent once.
    @Test func sendsOneItemPerKey() async throws {
        let http = FakeHTTP([FakeHTTP.json(200, #"{"UnprocessedItems":{}}"#)])
        let writer = DynamoDBAttemptLogWriter(dynamo: DynamoDBClient(context: AWSTestContext.make(http)), table: "att", retentionDays: 30)
        #expect(try await writer.write([.sample("e1"), .sample("e1"), .sample("e2")]) == 0)
        let body = try JSONDocument(bytes: http.requests[0].body)
        #expect((body.root["RequestItems"]?["att"]).items.count == 2)
    }
}

/// What the engine builds from one attempt's outcome.
@Suite struct AttemptRecordFromOutcomeTests {
    let job = DeliveryJob(clientID: "acme", eventID: "e1", eventType: "t", payload: [], eventKey: "k")

    @Test func aStatusAndItsBody() {
        let record = AttemptRecord(job: job, endpointID: "billing", attempt: 2, atMillis: 5, outcome: .status(503, retryAfter: "10"),
                                   delivered: false, latency: .milliseconds(30), responseBody: Array(repeating: 65, count: 5000))
        #expect(record.status == 503 && record.error == nil && record.responseExcerpt.count == 1024)
        #expect(record.clientID == "acme" && record.eventID == "e1" && record.endpointID == "billing" && record.attempt == 2)
    }

    @Test func aTransportErrorHasNoStatus() {
        let record = AttemptRecord(job: job, endpointID: "default", attempt: 1, atMillis: 5, outcome: .transportError("connection refused"),
                                   delivered: false, latency: .milliseconds(1))
        #expect(record.status == nil && record.error == "connection refused" && record.responseExcerpt.isEmpty)
    }
}
