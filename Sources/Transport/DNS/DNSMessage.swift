/// The DNS wire format (RFC 1035 §4) as far as a stub resolver needs it: one question out, one
/// response in. Pure Swift with no imports, so the fuzz harness (scripts/fuzz-dns.sh) compiles the
/// codec files on their own.

/// Record types the resolver asks for or reads.
enum DNSType {
    static let a: UInt16 = 1
    static let cname: UInt16 = 5
    static let soa: UInt16 = 6
    static let aaaa: UInt16 = 28
    static let opt: UInt16 = 41
}

/// Response codes (RCODE) the resolver tells apart.
enum DNSResponseCode {
    static let noError: UInt8 = 0
    static let formatError: UInt8 = 1
    static let serverFailure: UInt8 = 2
    static let nameError: UInt8 = 3   // NXDOMAIN
}

struct DNSQuestion: Equatable, Sendable {
    /// Lower-case, without the trailing dot; a dot inside a label is written `\.`.
    var name: String
    var type: UInt16
}

enum DNSRecordData: Equatable, Sendable {
    case ipv4([UInt8])
    case ipv6([UInt8])
    case cname(String)
    /// Only what negative caching needs (RFC 2308 §5): the SOA's own TTL is read from the record.
    case soa(minimum: UInt32)
    case other
}

struct DNSRecord: Equatable, Sendable {
    var name: String
    var type: UInt16
    var ttl: UInt32
    var data: DNSRecordData
}

/// A decoded message. Additional records are not decoded: a stub resolver never needs them.
struct DNSResponse: Equatable, Sendable {
    var id: UInt16
    var isResponse: Bool
    var truncated: Bool
    var responseCode: UInt8
    var questions: [DNSQuestion]
    var answers: [DNSRecord]
    var authority: [DNSRecord]
}

/// Why bytes are not a usable DNS message (or a name cannot be asked).
enum DNSWireError: Error, Equatable, Sendable {
    case truncatedMessage
    case badName(String)
    case badRecord(String)
}

enum DNSMessage {
    /// The UDP payload size we advertise with EDNS(0) (RFC 6891): 1232 bytes fits any IPv6 path
    /// without fragmentation (the DNS flag day 2020 figure), and makes truncation rare.
    static let advertisedPayloadSize: UInt16 = 1232

    /// A recursive query for `name` (RD set) with one question and an EDNS(0) OPT record.
    static func query(id: UInt16, name: String, type: UInt16) throws(DNSWireError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + name.utf8.count)
        out.appendBigEndian(id)
        out.appendBigEndian(UInt16(0x0100))   // flags: RD (recursion desired)
        out.appendBigEndian(UInt16(1))        // QDCOUNT
        out.appendBigEndian(UInt16(0))        // ANCOUNT
        out.appendBigEndian(UInt16(0))        // NSCOUNT
        out.appendBigEndian(UInt16(1))        // ARCOUNT: the OPT record
        try appendName(name, to: &out)
        out.appendBigEndian(type)
        out.appendBigEndian(UInt16(1))        // class IN
        out.append(0)                         // OPT: root name
        out.appendBigEndian(DNSType.opt)
        out.appendBigEndian(advertisedPayloadSize)  // OPT's CLASS is the payload size
        out.appendBigEndian(UInt32(0))        // extended RCODE, version 0, no DO bit
        out.appendBigEndian(UInt16(0))        // no options
        return out
    }

    /// Encodes a host name as labels. Rejects empty labels (except one trailing dot), labels over
    /// 63 bytes and names over 255 bytes on the wire (RFC 1035 §2.3.4).
    static func appendName(_ name: String, to out: inout [UInt8]) throws(DNSWireError) {
        var text = Array(name.utf8)
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        guard !text.isEmpty, text.count <= 253 else { throw .badName(name) }
        for label in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { throw .badName(name) }
            out.append(UInt8(label.count))
            out.append(contentsOf: label)
        }
        out.append(0)
    }

    /// Decodes a whole message. Every length and pointer is checked against the bytes; any
    /// inconsistency is an error, never a trap (scripts/fuzz-dns.sh holds it to that).
    static func decode(_ bytes: [UInt8]) throws(DNSWireError) -> DNSResponse {
        var reader = DNSReader(bytes: bytes)
        let id = try reader.u16()
        let flags = try reader.u16()
        let counts = (q: Int(try reader.u16()), an: Int(try reader.u16()), ns: Int(try reader.u16()))
        _ = try reader.u16()   // ARCOUNT: additional records are not read
        var response = DNSResponse(id: id, isResponse: flags & 0x8000 != 0, truncated: flags & 0x0200 != 0,
                                   responseCode: UInt8(flags & 0x000F), questions: [], answers: [], authority: [])
        for _ in 0..<counts.q {
            let name = try reader.name()
            let type = try reader.u16()
            _ = try reader.u16()   // class
            response.questions.append(DNSQuestion(name: name, type: type))
        }
        for _ in 0..<counts.an { response.answers.append(try reader.record()) }
        for _ in 0..<counts.ns { response.authority.append(try reader.record()) }
        return response
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        appendBigEndian(UInt16(value >> 16))
        appendBigEndian(UInt16(value & 0xFFFF))
    }
}
