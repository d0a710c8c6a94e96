import Foundation
import Testing
@testable import Pismo

/// Where schemas come from: one derivation in `PismoSettings`, used alike by `pismo processor` and
/// `pismo validate`, independent of the working directory.
@Suite struct SchemaLocationTests {
    static let event = #"{"client_id":"acme","event_type":"no.such.type","event_time":"2026-01-01T00:00:00Z","data":{}}"#

    @Test func theSchemaDirectoryFollowsTheEnvelopeWhenOnlyItIsSet() throws {
        let s = try PismoSettings.fromEnvironment(["PISMO_SCHEMA": "/etc/pismo/event_schema.json"])
        #expect(s.schemaDirectory == "/etc/pismo")
        #expect(s.schemaPath == "/etc/pismo/event_schema.json")
    }

    @Test func anExplicitSchemaDirectoryWinsAndNamesTheEnvelope() throws {
        let s = try PismoSettings.fromEnvironment(["PISMO_SCHEMA_DIR": "/srv/schemas"])
        #expect(s.schemaDirectory == "/srv/schemas" && s.schemaPath == "/srv/schemas/event_schema.json")
        let both = try PismoSettings.fromEnvironment(["PISMO_SCHEMA_DIR": "/srv/schemas", "PISMO_SCHEMA": "/etc/envelope.json"])
        #expect(both.schemaDirectory == "/srv/schemas" && both.schemaPath == "/etc/envelope.json")
        let defaults = try PismoSettings.fromEnvironment([:])
        #expect(defaults.schemaDirectory == "schema" && defaults.schemaPath == "schema/event_schema.json")
    }

    @Test func aFlagMovesTheDirectoryButKeepsAnEnvelopeTheEnvironmentNamed() throws {
        var s = try PismoSettings.fromEnvironment(["PISMO_SCHEMA": "/etc/envelope.json"])
        s.setSchemaLocation(directory: "/srv/schemas", envelope: s.schemaEnvelopeOverride)
        #expect(s.schemaDirectory == "/srv/schemas" && s.schemaPath == "/etc/envelope.json")
        var t = try PismoSettings.fromEnvironment([:])
        t.setSchemaLocation(directory: "/srv/schemas", envelope: t.schemaEnvelopeOverride)
        #expect(t.schemaPath == "/srv/schemas/event_schema.json")
    }

    @Test func aSchemaDirectoryWithoutEventsMeansNoPerTypeSchemas() throws {
        let dir = try PismoProcess.emptyDirectory()
        try FileManager.default.copyItem(atPath: "schema/event_schema.json", toPath: dir + "/event_schema.json")
        let validator = try EventValidator(settings: try PismoSettings.fromEnvironment(["PISMO_SCHEMA_DIR": dir]))
        #expect(validator.eventTypes.isEmpty)
        #expect(validator.validate(Self.event).isValid)
    }

    @Test func strictEventTypesMeansTheSameToEveryReader() throws {
        for spelling in ["true", "1", "yes", "on"] {
            let settings = try PismoSettings.fromEnvironment(["PISMO_STRICT_EVENT_TYPES": spelling])
            let validator = try EventValidator(settings: settings)
            #expect(validator.validate(Self.event).error?.code == .unknownEventType, "PISMO_STRICT_EVENT_TYPES=\(spelling)")
        }
    }

    // The binary, as an operator runs it: these failed before one settings path existed.

    @Test func validateWorksOutsideTheRepositoryWhenPismoSchemaIsSet() async throws {
        var env = ProcessInfo.processInfo.environment
        env["PISMO_SCHEMA"] = PismoProcess.repositoryRoot + "/schema/event_schema.json"
        env["PISMO_SCHEMA_DIR"] = nil
        env["PISMO_STRICT_EVENT_TYPES"] = nil
        let result = try await PismoProcess.run(["validate"], cwd: try PismoProcess.emptyDirectory(), env: env, stdin: Self.event + "\n")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "valid\n")
    }

    @Test func validateHonoursStrictEventTypesSpelledAsTheProcessorAcceptsIt() async throws {
        var env = ProcessInfo.processInfo.environment
        env["PISMO_STRICT_EVENT_TYPES"] = "1"
        env["PISMO_SCHEMA"] = nil
        env["PISMO_SCHEMA_DIR"] = nil
        let result = try await PismoProcess.run(["validate"], cwd: PismoProcess.repositoryRoot, env: env, stdin: Self.event + "\n")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.hasPrefix("invalid: /event_type: no schema for event type"))
    }
}
