/// Vocabularies in effect for a schema resource (from its metaschema's `$vocabulary`).
struct Vocabularies: OptionSet, Sendable {
    let rawValue: UInt8
    static let applicator = Vocabularies(rawValue: 1)
    static let validation = Vocabularies(rawValue: 2)
    static let unevaluated = Vocabularies(rawValue: 4)
    static let formatAssertion = Vocabularies(rawValue: 8)
    static let standard: Vocabularies = [.applicator, .validation, .unevaluated]
}

/// Turns registered schema documents into a `CompiledSchema`: every reachable subschema becomes
/// one `SchemaNode`, references become node indices (a node is cached before its children are
/// compiled, so recursive schemas simply point back at an existing index).
struct SchemaCompiler {
    var registry: SchemaRegistry
    let assertFormat: Bool
    private(set) var nodes: [SchemaNode] = []
    private var cache: [String: NodeID] = [:]
    private(set) var resourceURIs: [String] = []
    private var resourceIndex: [String: Int] = [:]
    private var metaschemasLoaded = false

    init(registry: SchemaRegistry, assertFormat: Bool) {
        self.registry = registry
        self.assertFormat = assertFormat
    }

    /// Compiles the document whose root URI is `uri` and everything it references.
    mutating func compile(rootURI uri: String) throws(SchemaError) -> CompiledSchema {
        guard let location = try locate(URIReference(uri), from: uri) else {
            throw SchemaError(location: uri, reason: "schema not found")
        }
        let root = try compileNode(at: location, vocabularies: .standard)
        let dynamic = try compileDynamicAnchors()
        return CompiledSchema(nodes: nodes, root: root, dynamicAnchors: dynamic, resourceURIs: resourceURIs)
    }

    /// For every resource that has nodes, compile its `$dynamicAnchor`s (until no new resources appear).
    private mutating func compileDynamicAnchors() throws(SchemaError) -> [[String: NodeID]] {
        var result: [[String: NodeID]] = []
        var done = 0
        while done < resourceURIs.count {
            let uri = resourceURIs[done]
            var anchors: [String: NodeID] = [:]
            for (name, location) in registry.dynamicAnchors[uri] ?? [:] {
                anchors[name] = try compileNode(at: location, vocabularies: .standard)
            }
            result.append(anchors)
            done += 1
        }
        return result
    }

    private mutating func resourceID(_ uri: String) -> Int {
        if let id = resourceIndex[uri] { return id }
        resourceURIs.append(uri)
        resourceIndex[uri] = resourceURIs.count - 1
        return resourceURIs.count - 1
    }

    /// Finds a reference target, loading the embedded metaschemas on first need.
    mutating func locate(_ target: URIReference, from: String) throws(SchemaError) -> SchemaRegistry.Location? {
        if let found = registry.locate(target) { return found }
        guard !metaschemasLoaded, target.withoutFragment.hasPrefix("https://json-schema.org/") else { return nil }
        metaschemasLoaded = true
        for meta in EmbeddedMetaschemas.all where !registry.hasResource(meta.uri) {
            try registry.add(text: meta.text, retrievedFrom: meta.uri)
        }
        return registry.locate(target)
    }

    mutating func compileNode(at location: SchemaRegistry.Location, vocabularies inherited: Vocabularies) throws(SchemaError) -> NodeID {
        let key = location.key
        if let existing = cache[key] { return existing }
        guard let value = registry.value(at: location) else {
            throw SchemaError(location: key, reason: "no schema at this location")
        }
        let base = URIReference(registry.baseURI(at: location))
        let id = nodes.count
        nodes.append(SchemaNode(resource: resourceID(base.withoutFragment)))
        cache[key] = id
        switch value {
        case .bool(let b):
            nodes[id].boolean = b
            return id
        case .object: break
        default:
            throw SchemaError(location: describe(location), reason: "a schema must be an object or a boolean")
        }
        var vocabularies = inherited
        if let metaschema = value.member("$schema")?.stringValue {
            vocabularies = try self.vocabularies(of: metaschema, at: location)
        }
        var context = KeywordContext(location: location, base: base, schema: value, vocabularies: vocabularies)
        let keywords = try compileKeywords(&context)
        nodes[id].keywords = keywords
        nodes[id].tracksEvaluation = keywords.contains {
            switch $0 {
            case .unevaluatedItems, .unevaluatedProperties: return true
            default: return false
            }
        }
        return id
    }

    func describe(_ location: SchemaRegistry.Location) -> String {
        let uri = registry.documentURIs[location.document]
        return uri + "#" + location.pointer.map { "/" + JSONPointer.escape($0) }.joined()
    }

    /// Vocabularies declared by the metaschema at `uri` (standard set when it declares none).
    private mutating func vocabularies(of uri: String, at location: SchemaRegistry.Location) throws(SchemaError) -> Vocabularies {
        guard let metaLocation = try locate(URIReference(uri), from: uri),
              let declared = registry.value(at: metaLocation)?.member("$vocabulary")?.objectMembers else {
            return .standard
        }
        var result: Vocabularies = []
        for entry in declared {
            let name = entry.key.split(separator: "/").last.map(String.init) ?? ""
            switch name {
            case "applicator": result.insert(.applicator)
            case "validation": result.insert(.validation)
            case "unevaluated": result.insert(.unevaluated)
            case "format-assertion": result.insert(.formatAssertion)
            case "core", "meta-data", "format-annotation", "content": break
            default:
                if entry.value.boolValue == true {
                    throw SchemaError(location: describe(location), reason: "unsupported required vocabulary \(entry.key)")
                }
            }
        }
        return result
    }
}
