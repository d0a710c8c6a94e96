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
    /// event_type -> validator for `data`.
    private let perType: [String: JSONSchemaValidator]
    public let strictEventTypes: Bool
    public var eventTypes: [String] { perType.keys.sorted() }

    /// - Parameters:
    ///   - schemaDirectory: directory holding `event_schema.json`, `events/` and `meta/` (default `schema`).
    ///   - envelopePath: envelope schema file; default `PISMO_SCHEMA` or `<schemaDirectory>/event_schema.json`.
    ///   - strictEventTypes: reject types without a schema; default `PISMO_STRICT_EVENT_TYPES == "true"`.
    public init(schemaDirectory: String = "schema", envelopePath: String? = nil, strictEventTypes: Bool? = nil) throws(SchemaError) {
        let environment = ProcessInfo.processInfo.environment
        var registry = SchemaRegistry()
        let loaded = try SchemaDirectory.register(schemaDirectory, into: &registry)
        let envelopeFile = envelopePath ?? environment["PISMO_SCHEMA"] ?? (schemaDirectory as NSString).appendingPathComponent("event_schema.json")
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
        self.perType = perType
        self.strictEventTypes = strictEventTypes ?? (environment["PISMO_STRICT_EVENT_TYPES"] == "true")
    }

    /// Validates one message body.
    public func validate(_ bytes: [UInt8]) -> EventValidationResult {
        let document: JSONDocument
        do { document = try JSONDocument(bytes: bytes) } catch {
            return EventValidationResult(error: EventValidationError(code: .invalidJSON, message: "\(error)"))
        }
        let root = document.root
        if !envelope.isValid(root) {
            let detail = envelope.firstError(root)
            var result = EventValidationResult.fields(of: root)
            result.error = EventValidationError(code: .schemaViolation, message: detail?.description ?? "invalid envelope",
                                                detail: detail)
            return result
        }
        var result = EventValidationResult.fields(of: root)
        guard let type = result.eventType, let data = root[key: "data"] else { return result }
        guard let validator = perType[type] else {
            if strictEventTypes {
                result.error = EventValidationError(code: .unknownEventType, message: "/event_type: no schema for event type \"\(type)\"")
            }
            return result
        }
        if !validator.isValid(data), var detail = validator.firstError(data) {
            detail.instanceLocation = "/data" + detail.instanceLocation
            detail.keywordLocation = "/events/\(type)" + detail.keywordLocation
            result.error = EventValidationError(code: .schemaViolation, message: detail.description, detail: detail)
        }
        return result
    }

    public func validate(_ text: String) -> EventValidationResult { validate(Array(text.utf8)) }
}
