import Foundation
import Transport

/// Caches route lookups for a short TTL, including misses (negative caching), so a burst of events
/// for one client costs one `routes` read — and a burst for an unknown client costs one too.
/// Lookup errors are not cached: the next event asks again.
public final class RouteCache: RouteStore, RouteHealth {
    private let store: any RouteStore
    private let ttl: Duration
    private let negativeTTL: Duration
    private let clock = ContinuousClock()
    private let entries = Locked<[String: (route: Route?, expires: ContinuousClock.Instant)]>([:])
    /// Lookups in progress: concurrent misses for one client share a single read (the first burst of
    /// deliveries for a client would otherwise read its route once per lane).
    private let lookups = Locked<[String: Task<Route?, any Error>]>([:])

    public init(store: any RouteStore, ttl: Duration = .seconds(30), negativeTTL: Duration = .seconds(5)) {
        self.store = store
        self.ttl = ttl
        self.negativeTTL = negativeTTL
    }

    public func route(for clientID: String) async throws -> Route? {
        let now = clock.now
        if let hit = entries.withLock({ $0[clientID] }), hit.expires > now {
            return hit.route
        }
        let (lookup, mine) = lookups.withLock { running -> (Task<Route?, any Error>, Bool) in
            if let shared = running[clientID] { return (shared, false) }
            // Prepared once here, the route's endpoints are not re-checked and re-keyed per event.
            let started = Task { [store] in
                try await store.route(for: clientID)?.prepared(clientID: clientID, nowMillis: UTCTime.millisecondsSince1970(Date()))
            }
            running[clientID] = started
            return (started, true)
        }
        // The owner's cancellation (shutdown) cancels the read; the others then see its error.
        let result = await withTaskCancellationHandler { await lookup.result } onCancel: { if mine { lookup.cancel() } }
        if mine {
            if case let .success(route) = result {
                let expires = now.advanced(by: route == nil ? negativeTTL : ttl)
                entries.withLock { $0[clientID] = (route, expires) }
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

    private func forget(_ clientID: String) {
        _ = entries.withLock { $0.removeValue(forKey: clientID) }
    }
}
