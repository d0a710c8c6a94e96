// libFuzzer entry point for the PismoJSON reader. Compiled together with the JSON sources by
// scripts/fuzz-json.sh (one module, so internals are visible). Any invariant violation traps,
// which libFuzzer reports as a crash and saves the input.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // First on libFuzzer's own buffer, which ASan guards exactly: an Array's spare capacity
    // would hide a read one byte past the end.
    let direct = JSONParser.run(UnsafeBufferPointer(start: data, count: size), maxDepth: 64)
    var directAccepted = false
    if case .success(let tape) = direct {
        directAccepted = true
        tape.base.deallocate()
    }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let document: JSONDocument
    do {
        document = try JSONDocument(bytes: input, options: .init(maxDepth: 64))
    } catch {
        precondition(!directAccepted, "document and direct parse disagree")
        precondition(error.offset >= 0 && error.offset <= size, "error offset out of range: \(error)")
        precondition(!error.description.isEmpty)
        return 0
    }
    precondition(directAccepted, "document and direct parse disagree")
    checkAccepted(document, input)
    return 0
}

/// Invariants for an accepted document: every accessor is safe, and both encoders produce JSON
/// that re-parses to the same value.
private func checkAccepted(_ document: JSONDocument, _ input: [UInt8]) {
    let root = document.root
    touchEverything(root)
    let value = JSONValue(root)

    let treeBytes = value.encoded()
    guard let fromTree = try? JSONDocument(bytes: treeBytes, options: .init(maxDepth: 64)) else {
        preconditionFailure("JSONValue.encoded() output does not parse")
    }
    precondition(JSONValue(fromTree.root) == value, "tree round trip changed the value")

    var writer = JSONWriter(escapeLineSeparators: input.count % 2 == 0)
    writer.encode(root)
    guard let fromWriter = try? JSONDocument(bytes: writer.bytes, options: .init(maxDepth: 64)) else {
        preconditionFailure("JSONWriter.encode output does not parse")
    }
    precondition(JSONValue(fromWriter.root) == value, "writer round trip changed the value")
    precondition(root.jsonEquals(fromWriter.root) && fromTree.root.jsonEquals(root), "jsonEquals not reflexive")
    _ = root.isIntegerValue

    // Raw splicing reproduces the source between leading/trailing whitespace.
    var spliced = JSONWriter()
    spliced.value(root)
    precondition(JSONValue(try! JSONDocument(bytes: spliced.bytes, options: .init(maxDepth: 64)).root) == value)
}

private func touchEverything(_ node: JSONNode) {
    _ = node.kind
    _ = node.rawRange
    switch node.kind {
    case .string:
        let s = node.string!
        precondition(node.stringEquals(s), "stringEquals disagrees with string")
        // Round trips cannot catch a decoder that is consistently wrong; Foundation's decoding
        // of the same string token is an independent oracle.
        let token = Data(node.rawBytes)
        if let reference = try? JSONSerialization.jsonObject(with: token, options: .fragmentsAllowed) as? String {
            precondition(Array(reference.unicodeScalars) == Array(s.unicodeScalars), "string differs from Foundation's decoding")
        } else {
            preconditionFailure("Foundation rejects a string token we accepted")
        }
        precondition(node.stringScalarCount == s.unicodeScalars.count)
    case .number:
        let text = node.numberText!
        _ = node.double
        if let v = node.int64 { precondition(String(v) == text || text == "-0") }
        if let v = node.uint64 { precondition(String(v) == text || text == "-0") }
        if let v = node.double, v.isFinite, let reference = Double(text) {
            precondition(v == reference || (v.isNaN && reference.isNaN), "double differs from Double(text)")
        }
    case .array:
        var seen = 0
        for element in node.elements { touchEverything(element); seen += 1 }
        precondition(seen == node.count)
        if seen > 0 { precondition(node[seen - 1] != nil && node[seen] == nil) }
    case .object:
        var seen = 0
        for (key, value) in node.memberNodes {
            precondition(key.kind == .string)
            touchEverything(value)
            precondition(node[key.string!] != nil)
            seen += 1
        }
        precondition(seen == node.count)
    case .bool, .null:
        break
    }
}
