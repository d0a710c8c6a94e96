import Foundation
import PismoJSON

/// Loads schema files from disk into a `SchemaRegistry` (startup only; never on the hot path).
public enum SchemaDirectory {
    /// Registers every `*.json` below `directory`. Files with `$id` are known by it; files without
    /// one by `base` + their path relative to `directory` (default base: the directory's file URI).
    /// Returns relative path -> canonical root URI.
    @discardableResult
    public static func register(_ directory: String, base: String? = nil,
                                into registry: inout SchemaRegistry) throws(SchemaError) -> [String: String] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var prefix = base ?? root.absoluteString
        if !prefix.hasSuffix("/") { prefix += "/" }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SchemaError(location: directory, reason: "schema directory not found")
        }
        var files: [String] = []
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".json") { files.append(relative) }
            }
        }
        var loaded: [String: String] = [:]
        for relative in files.sorted() {
            let text = try readText(root.appendingPathComponent(relative).path)
            do {
                loaded[relative] = try registry.add(text: text, retrievedFrom: prefix + relative)
            } catch {
                throw SchemaError(location: root.appendingPathComponent(relative).path, reason: error.reason)
            }
        }
        return loaded
    }

    /// Registers one schema file; returns its canonical root URI.
    public static func registerFile(_ path: String, into registry: inout SchemaRegistry) throws(SchemaError) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let text = try readText(url.path)
        do {
            return try registry.add(text: text, retrievedFrom: url.absoluteString)
        } catch {
            throw SchemaError(location: path, reason: error.reason)
        }
    }

    static func readText(_ path: String) throws(SchemaError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaError(location: path, reason: "cannot read file")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
