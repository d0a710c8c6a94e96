/// Admission and bookkeeping for a resolver's lookups, on the resolver's own loop (so no loop that
/// carries HTTP traffic ever waits on DNS, and one resolver's backlog never delays another's).
///
/// At most `maxConcurrentLookups` names are asked at once and `maxQueuedLookups` wait their turn;
/// callers of a name already being asked join it. Beyond the bounds a caller is refused at once
/// (`dnsOverloaded`). Every lookup ends by its deadline. Loop-confined after `init`.
final class DNSLookupEngine: @unchecked Sendable {
    let loop: EventLoop
    private let configuration: Resolver.Configuration
    private let cache: DNSCache
    private var active: [String: DNSLookup] = [:]
    private var queued: [DNSLookup] = []

    init(configuration: Resolver.Configuration, cache: DNSCache) throws {
        self.configuration = configuration
        self.cache = cache
        loop = try EventLoop(index: 0)
    }

    /// Loop thread only. `completion` gets port-less addresses or the error, on this loop.
    func lookUp(_ name: String, completion: @escaping @Sendable (Result<[SocketAddress], HTTPClientError>) -> Void) {
        // A lookup that finished after the caller missed the cache has stored its answer by now.
        if let cached = cache.fresh(name, now: configuration.cacheClock()) { return completion(cached) }
        if let lookup = active[name] ?? queued.first(where: { $0.name == name }) {
            guard lookup.waiters.count < configuration.maxWaitersPerLookup else { return completion(.failure(.dnsOverloaded(host: name))) }
            lookup.waiters.append(completion)
            return
        }
        guard active.count < configuration.maxConcurrentLookups || queued.count < configuration.maxQueuedLookups else {
            return completion(.failure(.dnsOverloaded(host: name)))
        }
        let lookup = DNSLookup(name: name, loop: loop, configuration: configuration) { [unowned self] in finished($0, $1) }
        lookup.waiters.append(completion)
        if active.count < configuration.maxConcurrentLookups {
            active[name] = lookup
            lookup.start()
        } else {
            queued.append(lookup)
        }
    }

    private func finished(_ lookup: DNSLookup, _ outcome: DNSLookup.Outcome) {
        if lookup.isStarted {
            active[lookup.name] = nil
        } else {
            queued.removeAll { $0 === lookup }
        }
        let result = settle(lookup, outcome)
        for waiter in lookup.waiters { waiter(result) }
        lookup.waiters = []
        while active.count < configuration.maxConcurrentLookups, !queued.isEmpty {
            let next = queued.removeFirst()
            active[next.name] = next
            next.start()
        }
    }

    /// The callers' result, cached for as long as the outcome deserves.
    private func settle(_ lookup: DNSLookup, _ outcome: DNSLookup.Outcome) -> Result<[SocketAddress], HTTPClientError> {
        let now = configuration.cacheClock()
        let c = configuration
        switch outcome {
        case .addresses(let addresses, let ttl):
            let lifetime = Self.clamp(.seconds(Int64(ttl)), c.minimumTTL, c.maximumTTL)
            cache.store(lookup.name, .success(addresses), expiry: now &+ lifetime.nanoseconds)
            return .success(addresses)
        case .noAddresses(let ttl):
            let lifetime = Self.clamp(ttl.map { .seconds(Int64($0)) } ?? c.negativeTTL, c.minimumTTL, c.maximumNegativeTTL)
            cache.store(lookup.name, .failure(.dnsFailure(host: lookup.name)), expiry: now &+ lifetime.nanoseconds)
            return .failure(.dnsFailure(host: lookup.name))
        case .serverFailure, .timedOut:
            let error: HTTPClientError = if case .timedOut = outcome { .dnsTimeout(host: lookup.name) } else { .dnsFailure(host: lookup.name) }
            let expiry = now &+ c.failureTTL.nanoseconds
            if let stale = cache.stale(lookup.name, now: now, maximumStaleness: c.maximumStaleness.nanoseconds) {
                cache.store(lookup.name, .success(stale.addresses), expiry: expiry, answerExpiry: stale.answerExpiry)
                return .success(stale.addresses)
            }
            // Waiting in the queue is the resolver's overload, not the name's fault: not remembered.
            if lookup.isStarted { cache.store(lookup.name, .failure(error), expiry: expiry) }
            return .failure(error)
        }
    }

    static func clamp(_ value: Duration, _ low: Duration, _ high: Duration) -> Duration {
        min(max(value, low), max(low, high))
    }
}
