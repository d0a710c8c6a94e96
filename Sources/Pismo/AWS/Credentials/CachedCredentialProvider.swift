import Transport

/// Caches the credentials of an underlying provider and refreshes them `refreshAhead` seconds before
/// they expire, so no request is ever signed with credentials about to lapse. An actor: concurrent
/// callers during a refresh share one in-flight fetch instead of each hitting STS/IMDS.
///
/// A failed refresh is backed off (1 s doubling to 60 s, jittered): until the next try is due,
/// callers get the still-valid cached credentials, or the last error at once — instead of every AWS
/// call first waiting on another doomed fetch from a source that is down.
public actor CachedCredentialProvider {
    private let source: any AWSCredentialProvider
    private let clock: AWSClock
    private let refreshAhead: Int64
    private var cached: AWSCredentials? {
        didSet { published.withLock { $0 = cached } }
    }
    /// `cached`, readable without a hop onto the actor (`currentIfFresh`): every AWS request asks
    /// for credentials, and two task switches each (onto the actor and back) were a visible share
    /// of the processor's CPU at saturation (bench/RESULTS.md, issue 17).
    private nonisolated let published = Locked<AWSCredentials?>(nil)
    private var inFlight: Task<AWSCredentials, Error>?
    private var failures = 0
    private var lastFailure: (any Error)?
    private var retryAt: ContinuousClock.Instant?
    private let monotonic: @Sendable () -> ContinuousClock.Instant
    static let refreshBackoff = Backoff(base: .seconds(1), cap: .seconds(60))

    public init(_ source: any AWSCredentialProvider, clock: AWSClock = AWSClock(), refreshAheadSeconds: Int64 = 300,
                monotonic: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.source = source
        self.clock = clock
        self.refreshAhead = refreshAheadSeconds
        self.monotonic = monotonic
    }

    /// The cached credentials when they need no refresh, without awaiting; nil means "call
    /// `credentials()`" (nothing cached yet, a refresh due, or invalidated).
    public nonisolated func currentIfFresh() -> AWSCredentials? {
        guard let current = published.withLock({ $0 }), !needsRefresh(current) else { return nil }
        return current
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        if let inFlight { return try await inFlight.value }
        if let retryAt, monotonic() < retryAt, let lastFailure {
            if let valid = stillValid() { return valid }
            throw lastFailure
        }
        let source = self.source
        let task = Task<AWSCredentials, Error> {
            guard let fresh = try await source.resolve() else {
                throw CredentialError("no credentials from \(source.name)")
            }
            return fresh
        }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            (failures, lastFailure, retryAt) = (0, nil, nil)
            return fresh
        } catch {
            failures += 1
            lastFailure = error
            retryAt = monotonic() + Self.refreshBackoff.delay(attempt: failures)
            // Still-valid old credentials beat failing every call while the source is down.
            if let valid = stillValid() { return valid }
            throw error
        }
    }

    private func stillValid() -> AWSCredentials? {
        guard let cached, let exp = cached.expiration, exp.secondsSince1970 > clock.now().secondsSince1970 else { return nil }
        return cached
    }

    /// Drops the cache (e.g. after the service rejected the credentials), and any backoff: the next
    /// call fetches at once.
    public func invalidate() {
        cached = nil
        (failures, lastFailure, retryAt) = (0, nil, nil)
    }

    private nonisolated func needsRefresh(_ c: AWSCredentials) -> Bool {
        guard let exp = c.expiration else { return false }
        return exp.secondsSince1970 - refreshAhead <= clock.now().secondsSince1970
    }
}
