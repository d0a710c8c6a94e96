// libFuzzer target for the JSON Schema compiler (Sources/PismoJSON/Schema): the input is a schema
// document. Compiling must either succeed or throw a SchemaError (no trap, no hang: $ref cycles,
// deep nesting, hostile patterns); a compiled schema then validates a few fixed instances, and
// `isValid` must agree with `firstError`.
let instances: [JSONDocument] = ["null", "0", "-1.5e300", "\"a\"", "[1,[2,[3]]]", #"{"a":{"b":[]},"c":"d"}"#].map {
    try! JSONDocument(bytes: Array($0.utf8))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchema(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let validator = try? JSONSchemaValidator(schemaText: text) else { return 0 }
    for document in instances {
        let valid = validator.isValid(document.root)
        precondition(valid == (validator.firstError(document.root) == nil), "isValid and firstError disagree")
    }
    return 0
}
