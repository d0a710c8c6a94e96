import Foundation
import PismoJSON

/// Validates raw event messages: JSON parse, the envelope schema (`schema/event_schema.json`),
/// then the per-type schema for `data` (`schema/events/<event_type>.json`) when one exists.
///
/// Load once at startup (`init` reads and compiles every schema; a broken schema throws a
/// `SchemaError` naming the file and the reason). Immutable afterwards and `Sendable`: the
/// processor may call `validate` from any thread. `format` is always asserted for these schemas
/// (event_time must be a real RFC 3339 date-time).
public struct EventValidator: Sendable {
    private let envelope: JSONSchemaValidator
    /// event_type -> validator for `data`. Few types: a linear byte comparison beats hashing a
    /// freshly decoded String per event.
    private let perType: [(key: String, value: JSONSchemaValidator)]
    public let strictEventTypes: Bool
    public var eventTypes: [String] { perType.map(\.key) }

    /// Reads no environment: the settings (`PismoSettings.schemaDirectory`, `.schemaPath`,
    /// `.strictEventTypes`) decide, so the processor and `pismo validate` always agree.
    /// - Parameters:
    ///   - schemaDirectory: directory holding `event_schema.json` and, optionally, `events/<event_type>.json`.
    ///   - envelopePath: the envelope schema file; default `<schemaDirectory>/event_schema.json`.
    ///   - strictEventTypes: reject event types that have no schema in `events/`.
    public init(schemaDirectory: String = "schema", envelopePath: String? = nil, strictEventTypes: Bool = false) throws(SchemaError) {
        var registry = SchemaRegistry()
        let loaded = try SchemaDirectory.register(schemaDirectory, into: &registry)
        let envelopeFile = envelopePath ?? (schemaDirectory as NSString).appendingPathComponent("event_schema.json")
        let envelopeURI = try SchemaDirectory.registerFile(envelopeFile, into: &registry)
        do {
            envelope = try JSONSchemaValidator(rootURI: envelopeURI, registry: registry, assertFormat: true)
        } catch {
            throw SchemaError(location: envelopeFile, reason: error.description)
        }
        var perType: [String: JSONSchemaValidator] = [:]
        for (relative, uri) in loaded.sorted(by: { $0.key < $1.key }) where relative.hasPrefix("events/") {
            let name = String(relative.dropFirst("events/".count).dropLast(".json".count))
            guard !name.contains("/") else { continue }
            do {
                perType[name] = try JSONSchemaValidator(rootURI: uri, registry: registry, assertFormat: true)
            } catch {
                throw SchemaError(location: (schemaDirectory as NSString).appendingPathComponent(relative), reason: error.description)
            }
        }
        self.perType = perType.sorted { $0.key < $1.key }
        self.strictEventTypes = strictEventTypes
    }

    /// Validates one message body.
    public func validate(_ bytes: [UInt8]) -> EventValidationResult {
        let document: JSONDocument
        do { document = try JSONDocument(bytes: bytes) } catch {
            return EventValidationResult(error: EventValidationError(code: .invalidJSON, message: "\(error)"))
        }
        let root = document.root
        return EventValidationResult.fields(of: root, error: check(root))
    }

    /// The first problem with a parsed event, or nil.
    private func check(_ root: JSONNode) -> EventValidationError? {
        if !envelope.isValid(root) {
            let detail = envelope.explain(root)
            return EventValidationError(code: .schemaViolation, message: detail.description, detail: detail)
        }
        // The envelope guarantees event_type is a string and data an object.
        guard let typeNode = root["event_type"], let data = root["data"] else { return nil }
        let validator = perType.first { typeNode.stringEquals($0.key) }?.value
        guard let validator else {
            guard strictEventTypes else { return nil }
            return EventValidationError(code: .unknownEventType,
                                        message: "/event_type: no schema for event type \"\(typeNode.string ?? "")\"")
        }
        if validator.isValid(data) { return nil }
        var detail = validator.explain(data)
        detail.instanceLocation = "/data" + detail.instanceLocation
        detail.keywordLocation = "/events/\(typeNode.string ?? "")" + detail.keywordLocation
        return EventValidationError(code: .schemaViolation, message: detail.description, detail: detail)
    }

    public func validate(_ text: String) -> EventValidationResult { validate(Array(text.utf8)) }

    /// Validates a message body held in any byte collection (e.g. a slice of a response buffer).
    public func validate(bytes: some Collection<UInt8>) -> EventValidationResult { validate(Array(bytes)) }

    /// Every failing assertion of one message ("" when valid), for `pismo validate --all-errors`.
    /// Envelope errors come first; the per-type schema runs only when the envelope passes.
    public func allErrors(_ bytes: [UInt8]) -> [String] {
        let document: JSONDocument
        do { document = try JSONDocument(bytes: bytes) } catch { return ["\(error)"] }
        let root = document.root
        let envelopeErrors = envelope.allErrors(root)
        if !envelopeErrors.isEmpty { return envelopeErrors.map(\.description) }
        let first = validate(bytes)
        guard let error = first.error else { return [] }
        guard error.detail != nil, let type = first.eventType, let validator = perType.first(where: { $0.key == type })?.value,
              let data = root["data"] else {
            return [error.message]
        }
        return validator.allErrors(data).map { e in
            var e = e
            e.instanceLocation = "/data" + e.instanceLocation
            return e.description
        }
    }
}
