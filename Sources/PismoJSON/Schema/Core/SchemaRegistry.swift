/// Every schema document the validator may reference, indexed by absolute URI, `$anchor` and
/// `$dynamicAnchor`. References never touch the network: a URI that is not registered here (or
/// one of the embedded 2020-12 metaschemas) is a `SchemaError` when the schema is compiled.
///
/// Build it once at startup (not thread-safe while mutating); compiled validators copy what they
/// need and do not reference the registry afterwards.
public struct SchemaRegistry: Sendable {
    /// A position inside a registered document.
    struct Location: Hashable, Sendable {
        var document: Int
        var pointer: [String]
        var key: String { "\(document):" + pointer.map(JSONPointer.escape).joined(separator: "/") }
    }

    private(set) var documents: [JSONValue] = []
    private(set) var documentURIs: [String] = []
    private(set) var resources: [String: Location] = [:]
    private(set) var anchors: [String: Location] = [:]
    /// Resource URI -> dynamic anchor name -> location.
    private(set) var dynamicAnchors: [String: [String: Location]] = [:]
    /// Base URI in effect at each indexed schema location (by `Location.key`).
    private(set) var baseURIs: [String: String] = [:]

    public init() {}

    /// Registers a parsed schema document retrieved from `uri` (its `$id`, if any, takes over).
    /// Returns the document's canonical root URI.
    @discardableResult
    public mutating func add(_ document: JSONValue, retrievedFrom uri: String) throws(SchemaError) -> String {
        let index = documents.count
        documents.append(document)
        let base = URIReference(uri)
        let rootLocation = Location(document: index, pointer: [])
        if resources[base.withoutFragment] == nil { resources[base.withoutFragment] = rootLocation }
        var rootURI = base.withoutFragment
        if let id = document.member("$id")?.stringValue {
            rootURI = base.resolving(id).withoutFragment
        }
        documentURIs.append(rootURI)
        try indexSchema(document, base: base, at: rootLocation)
        return rootURI
    }

    /// Parses JSON text and registers it (see `add(_:retrievedFrom:)`).
    @discardableResult
    public mutating func add(text: String, retrievedFrom uri: String) throws(SchemaError) -> String {
        let document: JSONDocument
        do { document = try JSONDocument(text) } catch {
            throw SchemaError(location: uri, reason: "invalid JSON: \(error)")
        }
        return try add(JSONValue(document.root), retrievedFrom: uri)
    }

    func hasResource(_ uri: String) -> Bool { resources[uri] != nil }

    /// The JSON value at a location, or nil when the pointer leads nowhere.
    func value(at location: Location) -> JSONValue? {
        var current = documents[location.document]
        for token in location.pointer {
            guard let next = current.child(token) else { return nil }
            current = next
        }
        return current
    }

    /// Base URI at a location: the indexed one, or the nearest indexed ancestor's.
    func baseURI(at location: Location) -> String {
        var pointer = location.pointer
        while true {
            if let base = baseURIs[Location(document: location.document, pointer: pointer).key] { return base }
            if pointer.isEmpty { return documentURIs[location.document] }
            pointer.removeLast()
        }
    }

    /// Resolves a reference (already made absolute) to a location.
    func locate(_ absolute: URIReference) -> Location? {
        let uri = absolute.withoutFragment
        let fragment = absolute.fragment ?? ""
        if fragment.isEmpty { return resources[uri] }
        if fragment.hasPrefix("/") {
            guard let root = resources[uri], let tokens = JSONPointer.tokens(fragment, percentDecoded: true) else { return nil }
            let location = Location(document: root.document, pointer: root.pointer + tokens)
            return value(at: location) == nil ? nil : location
        }
        return anchors[uri + "#" + fragment]
    }

    /// The resource URI that owns dynamic anchors at `location`'s resource, if any.
    func dynamicAnchor(_ name: String, inResource uri: String) -> Location? { dynamicAnchors[uri]?[name] }

    // MARK: indexing

    private static let schemaMaps: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"]
    private static let schemaArrays: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let schemaValues: Set<String> = ["items", "contains", "additionalProperties", "propertyNames", "not",
                                                    "if", "then", "else", "unevaluatedItems", "unevaluatedProperties",
                                                    "contentSchema"]

    private mutating func indexSchema(_ schema: JSONValue, base inherited: URIReference, at location: Location) throws(SchemaError) {
        guard let members = schema.objectMembers else { return }
        var base = inherited
        if let id = schema.member("$id")?.stringValue {
            base = inherited.resolving(id)
            let fragment = base.fragment
            base.fragment = nil
            if let fragment, !fragment.isEmpty {
                // Pre-2019 drafts spelled anchors as "$id": "#name"; keep them addressable.
                anchors[base.string + "#" + fragment] = location
                base = inherited
            } else if resources[base.string] == nil {
                resources[base.string] = location
            }
        }
        let resourceURI = base.withoutFragment
        baseURIs[location.key] = resourceURI
        if let anchor = schema.member("$anchor")?.stringValue { anchors[resourceURI + "#" + anchor] = location }
        if let anchor = schema.member("$dynamicAnchor")?.stringValue {
            anchors[resourceURI + "#" + anchor] = location
            dynamicAnchors[resourceURI, default: [:]][anchor] = location
        }
        for member in members {
            let child = Location(document: location.document, pointer: location.pointer + [member.key])
            if Self.schemaValues.contains(member.key) {
                try indexSchema(member.value, base: base, at: child)
            } else if Self.schemaArrays.contains(member.key), let items = member.value.arrayValue {
                for (i, item) in items.enumerated() {
                    try indexSchema(item, base: base, at: Location(document: location.document, pointer: child.pointer + [String(i)]))
                }
            } else if Self.schemaMaps.contains(member.key), let map = member.value.objectMembers {
                for entry in map {
                    try indexSchema(entry.value, base: base, at: Location(document: location.document, pointer: child.pointer + [entry.key]))
                }
            }
        }
    }
}
