/// What one response says about one question, after following CNAMEs.
enum DNSAnswer: Equatable, Sendable {
    /// Address bytes (4 or 16 each) and the lifetime of the shortest record on the way to them.
    case addresses([[UInt8]], ttl: UInt32)
    /// The name does not exist (NXDOMAIN) or has no record of this type (NODATA). `ttl` is the
    /// negative-caching lifetime from the SOA in the authority section (RFC 2308 §5), nil without one.
    case noAddresses(ttl: UInt32?)
    /// The server could not answer (SERVFAIL, REFUSED, a truncated or malformed answer): ask again,
    /// elsewhere if possible.
    case serverFailure(String)
}

extension DNSAnswer {
    /// CNAME chains longer than this are treated as a failure (loops included).
    static let maxCNAMEHops = 8

    /// Reads `response` as the answer to (`name`, `type`). The caller has already matched the ID
    /// and the question. Follows CNAMEs inside the answer section only: a stub resolver asks a
    /// recursive server, which puts the whole chain in one answer.
    init(_ response: DNSResponse, name: String, type: UInt16) {
        if response.truncated {
            self = .serverFailure("truncated answer")
            return
        }
        switch response.responseCode {
        case DNSResponseCode.noError: break
        case DNSResponseCode.nameError:
            self = .noAddresses(ttl: Self.negativeTTL(response))
            return
        case let code:
            self = .serverFailure("response code \(code)")
            return
        }
        var current = name
        var ttl = UInt32.max
        for _ in 0...Self.maxCNAMEHops {
            let records = response.answers.filter { $0.name == current }
            let addresses = records.compactMap { record -> [UInt8]? in
                guard record.type == type else { return nil }
                ttl = min(ttl, record.ttl)
                switch record.data {
                case .ipv4(let bytes), .ipv6(let bytes): return bytes
                default: return nil
                }
            }
            if !addresses.isEmpty {
                self = .addresses(addresses, ttl: ttl)
                return
            }
            guard let alias = records.first(where: { $0.type == DNSType.cname }), case .cname(let target) = alias.data else {
                self = .noAddresses(ttl: Self.negativeTTL(response))
                return
            }
            ttl = min(ttl, alias.ttl)
            current = target
        }
        self = .serverFailure("CNAME chain longer than \(Self.maxCNAMEHops)")
    }

    /// RFC 2308 §5: the lesser of the SOA record's TTL and its MINIMUM field.
    static func negativeTTL(_ response: DNSResponse) -> UInt32? {
        for record in response.authority {
            if case .soa(let minimum) = record.data { return min(record.ttl, minimum) }
        }
        return nil
    }
}
