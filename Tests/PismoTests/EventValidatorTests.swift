import Foundation
import Testing
@testable import Pismo

@Suite struct EventValidatorTests {
    /// The repository's own schema/ directory (the one the processor ships with).
    private static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema").path

    private func validator(strict: Bool = false) throws -> EventValidator {
        try EventValidator(schemaDirectory: Self.schemaDirectory, strictEventTypes: strict)
    }

    private let authorized = #"""
    {"client_id":"acme-1","event_type":"transaction.authorized","event_time":"2024-05-01T12:00:00.123Z",
     "event_id":"e-1","data":{"transaction_id":"t1","account_id":"a1","amount":19.99,"currency":"BRL"}}
    """#

    @Test func validEventYieldsEnvelopeFields() throws {
        let result = try validator().validate(authorized)
        #expect(result.isValid)
        #expect(result.clientID == "acme-1")
        #expect(result.eventType == "transaction.authorized")
        #expect(result.eventTime == "2024-05-01T12:00:00.123Z")
        #expect(result.eventID == "e-1")
        #expect(try validator().eventTypes == ["monitoring.alert", "transaction.authorized"])
        let framed = Array("xx".utf8) + Array(authorized.utf8) + Array("yy".utf8)
        #expect(try validator().validate(bytes: framed.dropFirst(2).dropLast(2)).isValid)
    }

    @Test func envelopeViolations() throws {
        let v = try validator()
        let badClient = v.validate(#"{"client_id":"a b","event_type":"x","event_time":"2024-05-01T12:00:00Z","data":{}}"#)
        #expect(badClient.error?.code == .schemaViolation)
        #expect(badClient.error?.message.hasPrefix("/client_id:") == true)
        let badTime = v.validate(#"{"client_id":"a","event_type":"x","event_time":"2024-02-30T12:00:00Z","data":{}}"#)
        #expect(badTime.error?.message == "/event_time: string is not a valid date-time")
        let badData = v.validate(#"{"client_id":"a","event_type":"x","event_time":"2024-05-01T12:00:00Z","data":"s"}"#)
        #expect(badData.error?.message == "/data: expected object, got string")
        #expect(badData.clientID == "a")
        let missing = v.validate(#"{"client_id":"a","event_type":"x","data":{}}"#)
        #expect(missing.error?.message == "/: missing required property \"event_time\"")
        #expect(v.validate("{not json").error?.code == .invalidJSON)
    }

    @Test func perTypeSchemaAppliesToData() throws {
        let v = try validator()
        let zero = authorized.replacingOccurrences(of: "19.99", with: "0")
        #expect(v.validate(zero).error?.message == "/data/amount: 0 must be > 0")
        let cents = authorized.replacingOccurrences(of: "19.99", with: "19.999")
        #expect(v.validate(cents).error?.message.hasPrefix("/data/amount:") == true)
        let alert = #"{"client_id":"a","event_type":"monitoring.alert","event_time":"2024-05-01T12:00:00Z","data":{"alert_id":"x","severity":"fatal","message":"m"}}"#
        #expect(v.validate(alert).error?.message == "/data/severity: value is not one of the enum values")
    }

    @Test func unknownTypesPassUnlessStrict() throws {
        let event = #"{"client_id":"a","event_type":"custom.thing","event_time":"2024-05-01T12:00:00Z","data":{"x":1}}"#
        #expect(try validator().validate(event).isValid)
        #expect(try validator(strict: true).validate(event).error?.code == .unknownEventType)
    }

    @Test func validatorIsSharedSafelyAcrossThreads() async throws {
        let v = try validator()
        let events = (0..<200).map { i in
            i % 3 == 0 ? authorized.replacingOccurrences(of: "19.99", with: "-\(i)") : authorized.replacingOccurrences(of: "e-1", with: "e-\(i)")
        }
        let expected = events.map { v.validate($0).isValid }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for (i, event) in events.enumerated() { group.addTask { (i, v.validate(event).isValid) } }
            var out = [Bool](repeating: false, count: events.count)
            for await (i, ok) in group { out[i] = ok }
            return out
        }
        #expect(results == expected)
        #expect(expected.filter { !$0 }.count == 67)
    }

    @Test func brokenSchemaNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pismo-schema-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("events"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"type":"object"}"#.utf8).write(to: dir.appendingPathComponent("event_schema.json"))
        try Data(#"{"pattern":"(?P<x>a)"}"#.utf8).write(to: dir.appendingPathComponent("events/bad.type.json"))
        do {
            _ = try EventValidator(schemaDirectory: dir.path)
            Issue.record("expected a schema error")
        } catch {
            #expect(error.location.hasSuffix("events/bad.type.json"))
            #expect(error.reason.contains("pattern"))
        }
    }
}
