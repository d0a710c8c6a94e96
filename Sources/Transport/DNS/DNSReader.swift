/// A bounds-checked cursor over a DNS message. Every read checks the remaining bytes first and
/// throws `DNSWireError` instead of trapping: these bytes come from the network.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws(DNSWireError) -> UInt8 {
        guard offset < bytes.count else { throw .truncatedMessage }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSWireError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSWireError) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    /// A possibly compressed name (RFC 1035 §4.1.4), lower-cased, without the trailing dot.
    /// A compression pointer must point before the segment it ends, so pointers only ever move
    /// backwards and cannot loop; the 255-byte name limit bounds the work besides.
    mutating func name() throws(DNSWireError) -> String {
        var labels: [String] = []
        var wireLength = 1
        var position = offset
        var segmentStart = offset
        var jumped = false
        while true {
            guard position < bytes.count else { throw .truncatedMessage }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return labels.joined(separator: ".")
                }
                guard position + 1 + length <= bytes.count else { throw .truncatedMessage }
                wireLength += 1 + length
                guard wireLength <= 255 else { throw .badName("longer than 255 bytes") }
                labels.append(Self.labelText(bytes[(position + 1)...(position + length)]))
                position += 1 + length
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncatedMessage }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < segmentStart else { throw .badName("compression pointer does not point backwards") }
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
                segmentStart = target
            default:
                throw .badName("reserved label type")   // 0x40 and 0x80 (RFC 6891 §5)
            }
        }
    }

    /// One resource record; A, AAAA, CNAME and SOA data are decoded, the rest skipped.
    mutating func record() throws(DNSWireError) -> DNSRecord {
        let owner = try name()
        let type = try u16()
        _ = try u16()   // class
        let ttl = try u32()
        let length = Int(try u16())
        let end = offset + length
        guard end <= bytes.count else { throw .truncatedMessage }
        let data: DNSRecordData
        switch type {
        case DNSType.a:
            guard length == 4 else { throw .badRecord("A record of \(length) bytes") }
            data = .ipv4(Array(bytes[offset..<end]))
        case DNSType.aaaa:
            guard length == 16 else { throw .badRecord("AAAA record of \(length) bytes") }
            data = .ipv6(Array(bytes[offset..<end]))
        case DNSType.cname:
            data = .cname(try name())
        case DNSType.soa:
            _ = try name()   // MNAME
            _ = try name()   // RNAME
            for _ in 0..<4 { _ = try u32() }   // serial, refresh, retry, expire
            data = .soa(minimum: try u32())
        default:
            data = .other
        }
        // The data's own parsing must end exactly where RDLENGTH says (for the types we decode).
        if type == DNSType.cname || type == DNSType.soa, offset != end {
            throw .badRecord("record data does not match its length")
        }
        offset = end
        // TTLs are unsigned 31-bit (RFC 2181 §8): a set top bit means zero.
        return DNSRecord(name: owner, type: type, ttl: ttl & 0x8000_0000 == 0 ? ttl : 0, data: data)
    }

    /// ASCII lower-cased (names compare case-insensitively, RFC 4343); a dot inside a label is
    /// escaped so "a.b" as one label never equals the two labels "a" and "b".
    static func labelText(_ label: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(label.count)
        for byte in label {
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
