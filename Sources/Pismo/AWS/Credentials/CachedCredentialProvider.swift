/// Caches the credentials of an underlying provider and refreshes them `refreshAhead` seconds before
/// they expire, so no request is ever signed with credentials about to lapse. An actor: concurrent
/// callers during a refresh share one in-flight fetch instead of each hitting STS/IMDS.
public actor CachedCredentialProvider {
    private let source: any AWSCredentialProvider
    private let clock: AWSClock
    private let refreshAhead: Int64
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, Error>?

    public init(_ source: any AWSCredentialProvider, clock: AWSClock = AWSClock(), refreshAheadSeconds: Int64 = 300) {
        self.source = source
        self.clock = clock
        self.refreshAhead = refreshAheadSeconds
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        if let inFlight { return try await inFlight.value }
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
            return fresh
        } catch {
            // Still-valid old credentials beat failing every call while the source is down.
            if let cached, let exp = cached.expiration, exp.secondsSince1970 > clock.now().secondsSince1970 { return cached }
            throw error
        }
    }

    /// Drops the cache (e.g. after the service rejected the credentials).
    public func invalidate() { cached = nil }

    private func needsRefresh(_ c: AWSCredentials) -> Bool {
        guard let exp = c.expiration else { return false }
        return exp.secondsSince1970 - refreshAhead <= clock.now().secondsSince1970
    }
}
