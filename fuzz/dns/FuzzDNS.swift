// libFuzzer entry point for the DNS response decoder. Compiled together with the codec sources
// (Sources/Transport/DNS/DNSMessage.swift, DNSReader.swift, DNSAnswer.swift) by scripts/fuzz-dns.sh,
// in one module so internals are visible. The bytes play a name server's answer: decoding must
// end in a value or a DNSWireError, never a trap or a hang, and what it returns must hold together.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNSDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let response: DNSResponse
    do {
        response = try DNSMessage.decode(bytes)
    } catch {
        return 0
    }
    precondition(size >= 12, "a message shorter than its header was accepted")
    for record in response.answers + response.authority {
        precondition(record.ttl <= 0x7FFF_FFFF, "a TTL with the top bit set survived")
        switch record.data {
        case .ipv4(let address): precondition(address.count == 4 && record.type == DNSType.a)
        case .ipv6(let address): precondition(address.count == 16 && record.type == DNSType.aaaa)
        case .cname(let target): checkName(target)
        default: break
        }
        checkName(record.name)
    }
    // The resolver's reading of the answer, for every question and both address types.
    for question in response.questions {
        checkName(question.name)
        for type in [DNSType.a, DNSType.aaaa] {
            if case .addresses(let list, _) = DNSAnswer(response, name: question.name, type: type) {
                precondition(!list.isEmpty && list.allSatisfy { $0.count == (type == DNSType.a ? 4 : 16) })
            }
        }
    }
    return 0
}

/// A decoded name is lower-case and fits the 255-byte wire limit (an escape doubles a byte, an
/// invalid UTF-8 byte becomes the 3-byte replacement character).
private func checkName(_ name: String) {
    precondition(name.utf8.count <= 3 * 255, "name longer than the wire allows")
    precondition(!name.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }, "upper case survived: \(name)")
}
