/// Answers and failures by name, with their expiry, bounded by an LRU. Thread-safe: read on the
/// caller's thread (a hit needs no hop), written by the lookup engine.
final class DNSCache: Sendable {
    struct Entry: Sendable {
        /// Port-less addresses (IPv4 first), or why the name has none.
        var result: Result<[SocketAddress], HTTPClientError>
        var expiry: UInt64
        /// When the last real answer expired: an answer served stale again keeps it, so staleness
        /// is measured from the answer, not from the last time it was re-served.
        var answerExpiry: UInt64
    }

    private let entries: Locked<LRUCache<String, Entry>>

    init(capacity: Int) {
        entries = Locked(LRUCache(capacity: max(1, capacity)))
    }

    /// The result for `name` while its entry is fresh at `now`.
    func fresh(_ name: String, now: UInt64) -> Result<[SocketAddress], HTTPClientError>? {
        entries.withLock { cache in
            guard let entry = cache.value(forKey: name), entry.expiry > now else { return nil }
            return entry.result
        }
    }

    /// The last addresses for `name` if they expired at most `maximumStaleness` ago, and when.
    func stale(_ name: String, now: UInt64, maximumStaleness: UInt64) -> (addresses: [SocketAddress], answerExpiry: UInt64)? {
        entries.withLock { cache in
            guard let entry = cache.peek(name), case .success(let addresses) = entry.result,
                  entry.answerExpiry <= now, now - entry.answerExpiry <= maximumStaleness else { return nil }
            return (addresses, entry.answerExpiry)
        }
    }

    func store(_ name: String, _ result: Result<[SocketAddress], HTTPClientError>, expiry: UInt64, answerExpiry: UInt64? = nil) {
        entries.withLock { _ = $0.setValue(Entry(result: result, expiry: expiry, answerExpiry: answerExpiry ?? expiry), forKey: name) }
    }

    var count: Int { entries.withLock { $0.count } }
}
