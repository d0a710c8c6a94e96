/// The IPv4 spellings the C library accepts for a numeric host (`inet_aton`, which `getaddrinfo`
/// applies before any lookup): one to four parts separated by dots, each decimal, octal (leading
/// `0`) or hex (`0x`), the last part filling every byte the others left — so `127.2`, `2130706434`,
/// `0177.0.0.2` and `0x7f.0.0.2` all mean 127.0.0.2.
///
/// Parsed here, not left to the resolver, so what such a host connects to does not depend on how a
/// resolver treats it (a DNS client of our own could send `127.2` to a name server): the client and
/// the destination guard see the same address, the one a browser or curl would use.
enum IPv4Spelling {
    /// The address in host byte order; nil for anything else (names, IPv6, trailing dots, overflow).
    static func parse(_ text: String) -> UInt32? {
        var parts: [UInt32] = []
        parts.reserveCapacity(4)
        for piece in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard parts.count < 4, let value = number(piece) else { return nil }
            parts.append(value)
        }
        guard let last = parts.last else { return nil }
        var address: UInt32 = 0
        for (index, part) in parts.dropLast().enumerated() {
            guard part <= 0xff else { return nil }
            address |= part << (24 - 8 * UInt32(index))
        }
        // The last part fills the bytes that remain: 32 bits after no dot, 24 after one, and so on.
        let remainingBits = 32 - 8 * (parts.count - 1)
        guard remainingBits == 32 || last < (UInt32(1) << remainingBits) else { return nil }
        return address | last
    }

    /// One part: `0x` hex, `0` octal, else decimal; never empty (nor a bare `0x`).
    private static func number(_ bytes: Substring.UTF8View.SubSequence) -> UInt32? {
        guard !bytes.isEmpty else { return nil }
        var digits = bytes[...]
        var base: UInt64 = 10
        if digits.first == UInt8(ascii: "0") && digits.count > 1 {
            digits = digits.dropFirst()
            if digits.first == UInt8(ascii: "x") || digits.first == UInt8(ascii: "X") {
                base = 16
                digits = digits.dropFirst()
                if digits.isEmpty { return nil }
            } else {
                base = 8
            }
        }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = digitValue(byte), digit < base else { return nil }
            value = value * base + digit
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return UInt32(value)
    }

    private static func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
