/// Streams JSON into a byte buffer. Commas are inserted automatically: call `key` before each
/// object value, and values/containers in order. The writer does not check that calls are well
/// nested (it is a hot-path tool); `JSONValue.encoded()` is the checked alternative.
/// A value type; use one writer per thread.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]
    /// Escape U+2028/U+2029 as \u2028/\u2029 so the output can be embedded in JavaScript source.
    public var escapeLineSeparators: Bool
    /// Whether the next value needs a ',' before it.
    @usableFromInline var needsComma = false

    public init(capacity: Int = 256, escapeLineSeparators: Bool = false) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.escapeLineSeparators = escapeLineSeparators
    }

    @inlinable
    mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the next call must write the member's value.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// Writes a number from its JSON text, unchanged. The caller guarantees it is valid JSON
    /// number syntax (e.g. text taken from `JSONNode.numberText`).
    public mutating func number(text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    public mutating func int(_ value: Int) {
        separate()
        appendDecimal(value)
        needsComma = true
    }

    /// Writes the shortest text that reads back as the same Double. JSON has no NaN or
    /// infinity, so those are written as `null`.
    public mutating func double(_ value: Double) {
        separate()
        if value.isFinite {
            bytes.append(contentsOf: value.description.utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Splices one complete, already-encoded JSON value (e.g. `node.rawBytes`) untouched.
    public mutating func raw(_ encoded: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Splices a parsed value byte for byte.
    public mutating func value(_ node: JSONNode) {
        raw(node.rawBytes)
    }

    mutating func appendDecimal(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // Work with the magnitude as UInt so Int.min has no overflow.
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var k = 20
            repeat {
                k -= 1
                digits[k] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k..<20]))
        }
    }
}
