import ArgumentParser
import Foundation
import Pismo
import PismoJSON

/// `pismo validate`: checks JSON documents against Pismo's event schemas or any 2020-12 schema.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate JSON documents against a JSON Schema (draft 2020-12).",
        discussion: """
            Without --schema, documents are checked exactly as the processor checks events, from the same settings: the envelope schema (PISMO_SCHEMA, default <schema dir>/event_schema.json), then <schema dir>/events/<event_type>.json for `data`, with format assertion on. The schema dir is --schema-dir, else PISMO_SCHEMA_DIR, else the directory of PISMO_SCHEMA, else ./schema. PISMO_STRICT_EVENT_TYPES (true/1/yes/on) rejects event types that have no schema.

            With --schema FILE, documents are checked against FILE; `format` is only an annotation unless --assert-format is given. References never use the network: they resolve against the embedded 2020-12 metaschemas, FILE itself, Pismo's schema directory (by $id) and every *.json under --schema-dir (known by its $id, or by --schema-base + its path relative to the directory when it has none).

            With no DOC arguments, one JSON document per line is read from stdin. One line is printed per document: `valid` or `invalid: <reason>`, e.g. `invalid: /data: expected object, got string`.

            Exit status: 0 all valid, 1 some document invalid, 2 usage or schema error.
            """
    )

    @Option(name: .long, help: "Schema file to validate against (default: Pismo's event schemas).")
    var schema: String?

    @Option(name: .customLong("schema-dir"), help: "Directory of schemas available to $ref (with --schema), or Pismo's schema directory (without).")
    var schemaDir: String?

    @Option(name: .customLong("schema-base"), help: "Base URI for --schema-dir files that have no $id (e.g. http://localhost:1234/).")
    var schemaBase: String?

    @Flag(name: .customLong("assert-format"), help: "Treat `format` as an assertion (always on for Pismo's event schemas).")
    var assertFormat = false

    @Flag(name: .customLong("all-errors"), help: "Report every failing keyword instead of the first one.")
    var allErrors = false

    @Argument(help: "Files with one JSON document each. Reads JSON lines from stdin when omitted.")
    var documents: [String] = []

    func run() throws {
        // Checked here rather than in validate() so the exit status is 2 (ArgumentParser uses 64
        // for its own usage errors, e.g. unknown options).
        if schemaBase != nil && schemaDir == nil {
            FileHandle.standardError.write(Data("pismo validate: --schema-base needs --schema-dir\n".utf8))
            throw ExitCode(2)
        }
        let check: ([UInt8]) -> String?
        do { check = try makeChecker() } catch {
            FileHandle.standardError.write(Data("pismo validate: schema error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var anyInvalid = false
        var output = ""
        func emit(_ bytes: [UInt8]) {
            if let problem = check(bytes) {
                anyInvalid = true
                output += "invalid: \(problem)\n"
            } else {
                output += "valid\n"
            }
            if output.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(output.utf8)); output = "" }
        }
        if documents.isEmpty {
            while let line = readLine(strippingNewline: true) {
                if line.allSatisfy(\.isWhitespace) { continue }
                emit(Array(line.utf8))
            }
        } else {
            for path in documents {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("pismo validate: cannot read \(path)\n".utf8))
                    throw ExitCode(2)
                }
                emit(Array(data))
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        if anyInvalid { throw ExitCode(1) }
    }

    /// Builds the per-document check: returns nil when valid, else the reason.
    private func makeChecker() throws -> ([UInt8]) -> String? {
        var settings = try PismoSettings.fromEnvironment(ProcessInfo.processInfo.environment)
        guard let schema else {
            if let schemaDir { settings.setSchemaLocation(directory: schemaDir, envelope: settings.schemaEnvelopeOverride) }
            let events = try EventValidator(settings: settings)
            let all = allErrors
            return { bytes in
                if all {
                    let errors = events.allErrors(bytes)
                    return errors.isEmpty ? nil : errors.joined(separator: "; ")
                }
                return events.validate(bytes).error?.message
            }
        }
        var registry = SchemaRegistry()
        // Pismo's own schemas (by $id) are always referenceable when their directory exists;
        // --schema-dir adds to them.
        let pismoSchemas = settings.schemaDirectory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: pismoSchemas, isDirectory: &isDirectory), isDirectory.boolValue,
           schemaDir.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }) != URL(fileURLWithPath: pismoSchemas).standardizedFileURL.path {
            try SchemaDirectory.register(pismoSchemas, into: &registry)
        }
        if let schemaDir { try SchemaDirectory.register(schemaDir, base: schemaBase, into: &registry) }
        let root = try SchemaDirectory.registerFile(schema, into: &registry)
        let validator = try JSONSchemaValidator(rootURI: root, registry: registry, assertFormat: assertFormat)
        let all = allErrors
        return { bytes in
            let document: JSONDocument
            do { document = try JSONDocument(bytes: bytes) } catch { return "\(error)" }
            if all {
                let errors = validator.allErrors(document.root)
                return errors.isEmpty ? nil : errors.map(\.description).joined(separator: "; ")
            }
            return validator.firstError(document.root)?.description
        }
    }
}
