import Transport

/// Derived SigV4 signing keys, cached per (secret, date, region, service): deriving one costs four
/// HMACs, and the key only changes at UTC midnight or on credential rotation.
/// Thread-safe (one mutex); tiny, bounded, and cleared wholesale when full.
public final class SigningKeyCache: Sendable {
    private struct Key: Hashable {
        let secret: String
        let date: String
        let region: String
        let service: String
    }

    private let entries = Locked<[Key: [UInt8]]>([:])
    private let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    public func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let key = Key(secret: secret, date: date, region: region, service: service)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let derived = Self.derive(secret: secret, date: date, region: region, service: service)
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = derived
        }
        return derived
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    public static func derive(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let kDate = Digests.hmacSHA256(key: Array(("AWS4" + secret).utf8), message: Array(date.utf8))
        let kRegion = Digests.hmacSHA256(key: kDate, message: Array(region.utf8))
        let kService = Digests.hmacSHA256(key: kRegion, message: Array(service.utf8))
        return Digests.hmacSHA256(key: kService, message: Array("aws4_request".utf8))
    }

    public var count: Int { entries.withLock { $0.count } }
}
