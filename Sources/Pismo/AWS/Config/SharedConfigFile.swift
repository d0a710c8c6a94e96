/// The shared `~/.aws/credentials` and `~/.aws/config` INI files, parsed into sections.
/// In `config`, profiles are `[profile name]` (except `[default]`); in `credentials` they are `[name]`.
/// Nested `key =` blocks (`[services x]` → `sqs =` then indented `endpoint_url = …`) are flattened
/// to `sqs.endpoint_url`.
public struct SharedConfigFile: Sendable, Equatable {
    /// Section title exactly as written between brackets, trimmed → key/value pairs (keys lower-cased).
    public private(set) var sections: [String: [String: String]] = [:]

    public init(text: String) {
        var current: String?
        var nestedParent: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingSet(" \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let title = String(line.dropFirst().dropLast()).trimmingSet(" \t")
                current = title
                nestedParent = nil
                if sections[title] == nil { sections[title] = [:] }
                continue
            }
            guard let section = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSet(" \t").lowercased()
            var value = line[line.index(after: eq)...].trimmingSet(" \t")
            if let hash = value.range(of: " #") ?? value.range(of: " ;") { value = value[..<hash.lowerBound].trimmingSet(" \t") }
            if indented, let parent = nestedParent {
                sections[section]?[parent + "." + key] = value
            } else if value.isEmpty {
                nestedParent = key
            } else {
                nestedParent = nil
                sections[section]?[key] = value
            }
        }
    }

    /// Profile from the credentials file: section `[name]`.
    public func credentialsProfile(_ name: String) -> [String: String]? { sections[name] }

    /// Profile from the config file: `[default]` or `[profile name]` (`[name]` tolerated as a fallback).
    public func configProfile(_ name: String) -> [String: String]? {
        if name == "default" { return sections["default"] ?? sections["profile default"] }
        return sections["profile " + name] ?? sections[name]
    }

    public func servicesSection(_ name: String) -> [String: String]? { sections["services " + name] }
}

extension StringProtocol {
    func trimmingSet(_ set: String) -> String {
        let chars = Set(set)
        var slice = Substring(self)
        while let f = slice.first, chars.contains(f) { slice = slice.dropFirst() }
        while let l = slice.last, chars.contains(l) { slice = slice.dropLast() }
        return String(slice)
    }
}
