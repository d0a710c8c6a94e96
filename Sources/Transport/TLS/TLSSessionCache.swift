import CSystemShims

/// Client-side sessions kept per "host:port" so a new connection to the same server can resume
/// (an abbreviated handshake: no certificate exchange, one round trip less with TLS 1.2).
///
/// OpenSSL's built-in cache only serves servers; on the client it merely announces new sessions
/// through the new-session callback, and the application decides which one to offer next time.
/// The key includes the host because a resumed session skips certificate verification: a session
/// is only ever offered to the very name it was verified for.
///
/// Thread-safety: shared by all loop threads through the `TLSContext`; every access holds the mutex.
/// Each stored `SSL_SESSION` carries one reference owned by this cache.
final class TLSSessionCache: Sendable {
    /// An SSL_SESSION* that may cross threads: established sessions are not modified by OpenSSL
    /// and their reference counts are atomic.
    private struct Session: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private struct Entry {
        var session: Session
        var stamp: UInt64
    }

    private struct State: ~Copyable {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    deinit {
        state.withLock { state in
            for entry in state.entries.values { SSL_SESSION_free(entry.session.pointer) }
            state.entries.removeAll()
        }
    }

    /// Offers the cached session for `key` on a not-yet-started connection. Done under the lock
    /// because SSL_set_session takes its own reference, after which a concurrent replace is safe.
    /// A TLS 1.3 ticket is used once: OpenSSL marks it spent after a resumed handshake, and the
    /// server's fresh tickets replace it when the client next reads. A spent one is dropped here.
    func offer(to ssl: OpaquePointer, key: String) {
        let spent: Session? = state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard SSL_SESSION_is_resumable(entry.session.pointer) == 1 else {
                state.entries.removeValue(forKey: key)
                return entry.session
            }
            _ = SSL_set_session(ssl, entry.session.pointer)
            return nil
        }
        if let spent { SSL_SESSION_free(spent.pointer) }
    }

    /// Keeps `session` (taking over the caller's reference) as the one to offer for `key`,
    /// releasing the one it replaces. TLS 1.3 servers send several tickets; the newest wins.
    func store(_ session: OpaquePointer, key: String) {
        let incoming = Session(pointer: session)
        let released: Session? = state.withLock { state in
            state.clock += 1
            let previous = state.entries.updateValue(Entry(session: incoming, stamp: state.clock), forKey: key)
            if let previous { return previous.session }
            return state.entries.count > capacity ? Self.evictOldest(&state) : nil
        }
        if let released { SSL_SESSION_free(released.pointer) }
    }

    /// Drops the session for `key`, e.g. after a handshake that offered it failed.
    func remove(key: String) {
        let released = state.withLock { $0.entries.removeValue(forKey: key)?.session }
        if let released { SSL_SESSION_free(released.pointer) }
    }

    var count: Int { state.withLock { $0.entries.count } }

    func contains(key: String) -> Bool { state.withLock { $0.entries[key] != nil } }

    /// Linear scan: the cache is small (hundreds of hosts) and eviction only happens when it is full.
    private static func evictOldest(_ state: inout State) -> Session? {
        guard let oldest = state.entries.min(by: { $0.value.stamp < $1.value.stamp }) else { return nil }
        state.entries.removeValue(forKey: oldest.key)
        return oldest.value.session
    }
}
