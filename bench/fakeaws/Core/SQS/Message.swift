import CSystemShims
import Foundation
import PismoJSON

/// One message attribute as sent (Binary values kept as their base64 text).
public struct MessageAttribute: Sendable {
    public var name: String
    public var dataType: String
    public var stringValue: String?
    public var binaryBase64: String?
}

/// A message in a queue. The body is kept decoded (MD5, query protocol) and JSON-encoded (so a
/// JSON receive copies bytes).
struct Message {
    var id: String
    var body: String
    var bodyJSON: [UInt8]
    var md5OfBody: String
    var attributes: [MessageAttribute]
    var md5OfAttributes: String?
    var sentAtMillis: Int64
    var receiveCount = 0
    var firstReceiveAtMillis: Int64?
    /// Bumped on every receive and visibility change: older receipt handles and heap entries are stale.
    var generation: UInt32 = 0
    /// Monotonic ms before which it is invisible (in flight, or delayed); 0 = visible.
    var invisibleUntil: Int64 = 0
}

enum MessageDigest {
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func md5(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeBytes { chttp_md5($0.baseAddress, $0.count, &out) }
        return hex(out)
    }

    /// SQS's attribute digest: names sorted; per attribute length-prefixed (4 bytes, big-endian) name,
    /// data type, a transport byte (1 string/number, 2 binary) and length-prefixed value bytes.
    static func attributes(_ attributes: [MessageAttribute]) -> String? {
        guard !attributes.isEmpty else { return nil }
        var buffer: [UInt8] = []
        func field(_ bytes: [UInt8]) {
            let n = UInt32(bytes.count)
            buffer += [UInt8(n >> 24), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)]
            buffer += bytes
        }
        for a in attributes.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
            field(Array(a.name.utf8))
            field(Array(a.dataType.utf8))
            if a.dataType.hasPrefix("Binary") {
                buffer.append(2)
                field(a.binaryBase64.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? [])
            } else {
                buffer.append(1)
                field(Array((a.stringValue ?? "").utf8))
            }
        }
        return md5(buffer)
    }
}

/// Ids in the shape of AWS's (8-4-4-4-12 hex), unique in the process, cheap to make.
struct MessageIDs {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> String {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let a = String(z, radix: 16), b = String(state, radix: 16)
        let hex = String(repeating: "0", count: 16 - a.count) + a + String(repeating: "0", count: 16 - b.count) + b
        let c = Array(hex.utf8)
        return String(decoding: c[0..<8], as: UTF8.self) + "-" + String(decoding: c[8..<12], as: UTF8.self) + "-"
            + String(decoding: c[12..<16], as: UTF8.self) + "-" + String(decoding: c[16..<20], as: UTF8.self) + "-"
            + String(decoding: c[20..<32], as: UTF8.self)
    }
}
