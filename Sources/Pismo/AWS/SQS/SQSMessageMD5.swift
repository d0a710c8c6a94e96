/// SQS integrity digests (lower-case hex MD5). `MD5OfMessageAttributes`: names sorted by bytes; per
/// attribute a 4-byte big-endian length + name, length + full DataType, one transport byte (1 String/
/// Number, 2 Binary), length + value bytes — all in one MD5 stream.
public enum SQSMessageMD5 {
    public static func body(_ body: String) -> String {
        Hex.encode(Digests.md5(Array(body.utf8)))
    }

    public static func attributes(_ attributes: [String: SQSMessageAttribute]) -> String {
        var stream: [UInt8] = []
        for name in attributes.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let attribute = attributes[name]!
            appendLengthPrefixed(Array(name.utf8), to: &stream)
            appendLengthPrefixed(Array(attribute.dataType.utf8), to: &stream)
            if attribute.isBinary {
                stream.append(2)
                appendLengthPrefixed(attribute.binaryValue ?? [], to: &stream)
            } else {
                stream.append(1)
                appendLengthPrefixed(Array((attribute.stringValue ?? "").utf8), to: &stream)
            }
        }
        return Hex.encode(Digests.md5(stream))
    }

    private static func appendLengthPrefixed(_ bytes: [UInt8], to out: inout [UInt8]) {
        let n = UInt32(bytes.count)
        out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        out += bytes
    }
}
