import Foundation
import Transport

/// Caches route lookups for a short TTL, including misses (negative caching), so a burst of events
/// for one client costs one `routes` read — and a burst for an unknown client costs one too.
/// Lookup errors are not cached: the next event asks again.
///
/// Bounded against hostile `client_id`s (issue 15): at most `maxEntries` entries (least recently used
/// forgotten first), and reads for clients not known to have a route — never seen, or last seen
/// without one — are paced by `unknownLookups` (a token bucket): a flood of random ids *waits* for
/// its turn here (its events are delayed, never dead-lettered for it: `no-route` still needs the
/// table to say so) while clients with a cached route, even one due for refresh, never wait.
public final class RouteCache: RouteStore, RouteHealth {
    private let store: any RouteStore
    private let ttl: Duration
    private let negativeTTL: Duration
    private let clock = ContinuousClock()
    private let entries: Locked<LRUCache<String, (route: Route?, expires: ContinuousClock.Instant)>>
    private let unknownLookups: Locked<TokenBucket>
    private let sleep: @Sendable (Duration) async throws -> Void
    /// Lookups in progress: concurrent misses for one client share a single read (the first burst of
    /// deliveries for a client would otherwise read its route once per lane).
    private let lookups = Locked<[String: Task<Route?, any Error>]>([:])

    public init(store: any RouteStore, ttl: Duration = .seconds(30), negativeTTL: Duration = .seconds(5),
                maxEntries: Int = 50_000, unknownLookupsPerSecond: Double = 100, unknownLookupBurst: Int = 1_000,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) }) {
        self.entries = Locked(LRUCache(capacity: maxEntries))
        self.unknownLookups = Locked(TokenBucket(rate: unknownLookupsPerSecond, burst: unknownLookupBurst))
        self.sleep = sleep
        self.store = store
        self.ttl = ttl
        self.negativeTTL = negativeTTL
    }

    public func route(for clientID: String) async throws -> Route? {
        let now = clock.now
        let cached = entries.withLock { $0.value(forKey: clientID) }
        if let hit = cached, hit.expires > now {
            return hit.route
        }
        let known = cached?.route != nil
        let (lookup, mine) = lookups.withLock { running -> (Task<Route?, any Error>, Bool) in
            if let shared = running[clientID] { return (shared, false) }
            let started = Task { [store, unknownLookups, sleep] in
                if !known {
                    let wait = unknownLookups.withLock { $0.reserve(at: .now) }
                    if wait > .zero { try await sleep(wait) }
                }
                // Prepared once here, the route's endpoints are not re-checked and re-keyed per event.
                return try await store.route(for: clientID)?.prepared(clientID: clientID,
                                                                       nowMillis: UTCTime.millisecondsSince1970(Date()))
            }
            running[clientID] = started
            return (started, true)
        }
        // The owner's cancellation (shutdown) cancels the read; the others then see its error.
        let result = await withTaskCancellationHandler { await lookup.result } onCancel: { if mine { lookup.cancel() } }
        if mine {
            if case let .success(route) = result {
                let expires = now.advanced(by: route == nil ? negativeTTL : ttl)
                entries.withLock { _ = $0.setValue((route, expires), forKey: clientID) }
            }
            lookups.withLock { _ = $0.removeValue(forKey: clientID) }
        }
        return try result.get()
    }

    // Health writes go to the store when it keeps health, and drop the cached entry so the next
    // lookup sees them (one read, instead of a write per failure from a stale entry).

    public func disable(clientID: String, endpointID: String, reason: String, at: String) async throws {
        try await (store as? any RouteHealth)?.disable(clientID: clientID, endpointID: endpointID, reason: reason, at: at)
        forget(clientID)
    }

    public func markFailing(clientID: String, endpointID: String, sinceMillis: Int64) async throws {
        try await (store as? any RouteHealth)?.markFailing(clientID: clientID, endpointID: endpointID, sinceMillis: sinceMillis)
        forget(clientID)
    }

    public func clearFailing(clientID: String, endpointID: String) async throws {
        try await (store as? any RouteHealth)?.clearFailing(clientID: clientID, endpointID: endpointID)
        forget(clientID)
    }

    /// Expires the entry but keeps what it knew: a client with a route stays known, so re-reading it
    /// never waits behind unknown clients' lookups.
    private func forget(_ clientID: String) {
        let now = clock.now
        entries.withLock { cache in
            if let entry = cache.peek(clientID) { _ = cache.setValue((entry.route, now), forKey: clientID) }
        }
    }

    /// Entries held (bounded by `maxEntries`; tests and diagnostics).
    public var cachedCount: Int { entries.withLock { $0.count } }
    /// Lookups in progress, including those waiting for their turn.
    public var lookupsInProgress: Int { lookups.withLock { $0.count } }
}
