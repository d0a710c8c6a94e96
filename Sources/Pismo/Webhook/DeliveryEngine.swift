import Foundation
import Logging

/// Delivers events to their clients' webhook endpoints: route lookup, fan-out to every endpoint whose
/// filter takes the event's type, and for each endpoint its own lane, rate limit, circuit breaker,
/// signed POST, and what follows from the outcome — delivered, dead-lettered, or the next attempt
/// scheduled in the retry queue. Shared by the stream path and the retry worker (`pismo deliver`) and
/// direct dispatch (`pismo processor`, one attempt only).
///
/// Invariants:
/// - `deliver` makes at most one attempt per endpoint and returns only once the job is *resolved* for
///   every endpoint: delivered, its dead letter durably published, or its follow-up durably in the
///   retry queue. A retry never waits in memory, so no failing endpoint can hold a stream record (or
///   the checkpoint behind it) for longer than one attempt. Infrastructure failures (routes table,
///   DLQ, retry queue unreachable) are retried, never turned into a loss; cancellation (shutdown)
///   throws, leaving the job unresolved.
/// - Endpoints are independent: each has its own concurrency lane (`KeyedLimiter`: at most
///   `perClientConcurrency` attempts run and as many wait; beyond that a job waits in the lane's
///   backlog only while the lane delivers — for at most `backlogPatience` — and is otherwise parked in
///   the retry queue instead of held in memory), its own circuit and its own rate limit.
///   One endpoint failing, slow or throttled never delays its siblings or another client.
public final class DeliveryEngine: Sendable {
    let routes: any RouteStore
    let sender: WebhookSender
    let deadLetters: any DeadLetterPublisher
    let retries: any RetryScheduler
    let health: (any RouteHealth)?
    /// An endpoint failing without a single success for this long is disabled.
    let disableAfter: Duration
    let policy: DeliveryPolicy
    /// Internal (not private) so tests can observe lanes instead of sleeping.
    let lanes: KeyedLimiter
    let breaker: CircuitBreaker
    let rateLimiter = EndpointRateLimiter()
    /// The longest an attempt waits in memory for its endpoint's rate limit; a longer backlog is parked.
    let maxRateWait: Duration
    let perClientConcurrency: Int
    /// How long a job parked because its endpoint's lane is full waits before it is tried again.
    let parkDelay: Duration
    /// How long a job may wait behind a full lane (and its queue) that is delivering, before it is
    /// parked; a backlog larger than the lane delivered in such a span lately is parked at once
    /// (`KeyedLimiter`). A fast client's burst — a stream page — stays in memory instead of costing
    /// four AWS requests per event; a hanging client's is parked within this. Zero: park at once.
    let backlogPatience: Duration
    let metrics: DeliveryMetrics?
    /// Where each attempt is recorded (`pismo attempts`); it filters by mode and never waits.
    let attemptLog: (any AttemptLog)?
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let logger: Logger
    /// Outages of the routes table, the DLQ or the retry queue: retried until they end.
    static let infrastructureBackoff = Backoff(base: .milliseconds(100), cap: .seconds(20))

    public init(routes: any RouteStore, sender: WebhookSender, deadLetters: any DeadLetterPublisher,
                retries: any RetryScheduler, health: (any RouteHealth)? = nil, disableAfter: Duration = .seconds(5 * 86_400),
                policy: DeliveryPolicy, perClientConcurrency: Int = 8,
                parkDelay: Duration = .seconds(5), backlogPatience: Duration = .seconds(2), maxRateWait: Duration = .seconds(1),
                breaker: CircuitBreaker.Options = CircuitBreaker.Options(),
                metrics: DeliveryMetrics? = nil, attemptLog: (any AttemptLog)? = nil, logger: Logger = Logger(label: "pismo.webhook"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.routes = routes
        self.sender = sender
        self.deadLetters = deadLetters
        self.retries = retries
        self.health = health
        self.disableAfter = disableAfter
        self.policy = policy
        self.lanes = KeyedLimiter(limit: perClientConcurrency)
        self.perClientConcurrency = max(1, perClientConcurrency)
        self.parkDelay = parkDelay
        self.backlogPatience = backlogPatience
        self.maxRateWait = maxRateWait
        self.metrics = metrics
        self.attemptLog = attemptLog
        self.sleep = sleep
        self.now = now
        self.logger = logger
        self.breaker = CircuitBreaker(options: breaker) { key, from, to in
            metrics?.circuitChanged(from: from, to: to)
            logger.warning("circuit \(to.rawValue)", metadata: ["endpoint": "\(key)", "was": "\(from.rawValue)"])
        }
    }

    /// Attempt number `attempt` for `job` (1 from the stream, for every endpoint its filter picks; the
    /// retry worker passes the endpoint and the number its message carries, with the time attempt 1
    /// was made and the last status seen).
    public func deliver(_ job: DeliveryJob, attempt: Int = 1, firstAttemptAtMillis: Int64? = nil,
                        lastStatus: Int? = nil, deferrals: Int = 0) async throws -> DeliveryResult {
        let history = History(attempt: attempt, firstAttemptAtMillis: firstAttemptAtMillis ?? nowMillis(), lastStatus: lastStatus,
                              deferrals: deferrals)
        if let expired = expiry(history) {
            return try await deadLetter(job, expired, attempts: attempt - 1, status: lastStatus)
        }
        let targets: [Endpoint]
        switch try await resolveTargets(job) {
        case let .deadLetter(reason):
            return try await deadLetter(job, reason, attempts: history.attempt - 1, status: history.lastStatus)
        case let .endpoints(found):
            targets = found
        }
        guard targets.count > 1 else {
            guard let only = targets.first else {
                metrics?.filtered.increment()
                return .filtered
            }
            return try await deliver(job, to: only, history)
        }
        return .fannedOut(try await withThrowingTaskGroup(of: (String, DeliveryResult).self) { group in
            for endpoint in targets {
                group.addTask { (endpoint.id, try await self.deliver(job, to: endpoint, history)) }
            }
            var results: [String: DeliveryResult] = [:]
            for try await (id, result) in group { results[id] = result }
            return results
        })
    }

    /// Where a job stands in its schedule.
    struct History {
        var attempt: Int
        var firstAttemptAtMillis: Int64
        var lastStatus: Int?
        var deferrals: Int
    }

    /// The breaker's and the lanes' key: one circuit and one lane per endpoint of a client.
    static func endpointKey(clientID: String, endpointID: String = Endpoint.defaultID) -> String {
        clientID + "/" + endpointID
    }

    /// The retry worker's cheap park: when the endpoint's circuit is open and no probe is due, how
    /// long a retry-queue message should stay hidden where it is — no event read, no new message, one
    /// request instead of four. nil when the job should go through `deliver` (circuit closed, a probe
    /// due, or the job past its lifetime, which `deliver` dead-letters).
    public func openCircuitDelay(clientID: String, endpointID: String = Endpoint.defaultID, attempt: Int,
                                 firstAttemptAtMillis: Int64, deferrals: Int) -> Duration? {
        let history = History(attempt: attempt, firstAttemptAtMillis: firstAttemptAtMillis, lastStatus: nil, deferrals: deferrals)
        guard breaker.wouldPark(Self.endpointKey(clientID: clientID, endpointID: endpointID)), expiry(history) == nil else { return nil }
        metrics?.parked.increment()
        return openCircuitParkDelay(history)
    }

    /// A job of an endpoint whose circuit is open waits along the schedule (at least until the next
    /// probe), as failures would make it, so a circuit open for a day costs each event a few parks.
    func openCircuitParkDelay(_ history: History) -> Duration {
        let step = min(history.attempt + history.deferrals + 1, policy.maxAttempts)
        return max(breaker.options.probeInterval, policy.schedule.delay(beforeAttempt: step) ?? policy.schedule.longestDelay)
    }

    /// However often an event is parked, it lives no longer than its schedule: past the schedule's
    /// whole length (at its longest jitter) after attempt 1, it is dead-lettered.
    func expiry(_ history: History) -> DeadLetterReason? {
        guard history.deferrals > 0 else { return nil }
        let lifetime = Int64(policy.schedule.total.seconds * 1.2 * 1000) + Int64(breaker.options.probeInterval.seconds * 1000)
        guard nowMillis() - history.firstAttemptAtMillis > lifetime else { return nil }
        return DeadLetterReason(.attemptsExhausted, "not delivered within the retry schedule: \(history.attempt - 1) attempts, "
                                + "\(history.deferrals) times parked (lane full or circuit open)")
    }

    func nowMillis() -> Int64 { UTCTime.millisecondsSince1970(now()) }

    enum Targets {
        case endpoints([Endpoint])
        case deadLetter(DeadLetterReason)
    }

    /// The endpoints `job` goes to. A routes-table outage is retried (never dead-letters); a missing
    /// route, or a retry whose endpoint was deleted since, is final.
    func resolveTargets(_ job: DeliveryJob) async throws -> Targets {
        let route: Route?
        do {
            route = try await untilDurable("looking the route up", job) { try await routes.route(for: job.clientID) }
        } catch let error as AWSError where error.isPermanent {
            return .deadLetter(DeadLetterReason(.awsRefused, "the routes table refused the lookup of client \(job.clientID): \(error)"))
        }
        guard let route, !route.endpoints.isEmpty else {
            return .deadLetter(DeadLetterReason(.noRoute, "no route for client \(job.clientID)"))
        }
        guard let endpointID = job.endpointID else { return .endpoints(route.endpoints(for: job.eventType)) }
        guard let endpoint = route.endpoint(endpointID) else {
            return .deadLetter(DeadLetterReason(.noRoute, "client \(job.clientID) has no endpoint '\(endpointID)' any more"))
        }
        return .endpoints([endpoint])
    }

    /// Direct dispatch and dead-letter redrive: exactly one attempt per endpoint, no retries, no
    /// dead-lettering. Returns true when every endpoint the job goes to answered 2xx; anything else
    /// leaves the event where it was (the stream path, deliver-dlq) — including an event whose
    /// endpoint's lane is full *and* already has a lane's worth queued (a slow or hanging endpoint),
    /// whose rate limit has no token now, or whose circuit is open.
    ///
    /// `fanOut: false` (direct dispatch) attempts only an event with a single endpoint: were one of
    /// several to fail, the stream path would send it to all of them again.
    public func attemptOnce(_ job: DeliveryJob, fanOut: Bool = true) async -> Bool {
        guard let route = try? await routes.route(for: job.clientID) else { return false }
        let targets: [Endpoint]
        if let endpointID = job.endpointID {
            targets = route.endpoint(endpointID).map { [$0] } ?? []
        } else {
            // A redriven letter written before endpoints existed carries no event type: every endpoint.
            targets = job.eventType.isEmpty ? route.endpoints : route.endpoints(for: job.eventType)
        }
        guard !targets.isEmpty, fanOut || targets.count == 1 else { return false }
        return await withTaskGroup(of: Bool.self) { group in
            for endpoint in targets {
                group.addTask { await self.attemptOnce(job, to: endpoint) }
            }
            var all = true
            for await delivered in group { all = all && delivered }
            return all
        }
    }

    private func attemptOnce(_ job: DeliveryJob, to endpoint: Endpoint) async -> Bool {
        let preparation = EndpointPreparation.of(endpoint, clientID: job.clientID, nowMillis: nowMillis())
        guard endpoint.disabledAt == nil, case let .success(signer) = preparation.signer else { return false }
        var job = job
        job.endpointID = endpoint.id
        let key = preparation.key
        guard breaker.permit(key) != .park else { return false }
        if let rate = endpoint.ratePerSecond, rateLimiter.reserve(key, ratePerSecond: rate, maxWait: .zero) != .wait(.zero) {
            return false
        }
        guard await lanes.acquire(key, maxWaiters: perClientConcurrency) else { return false }
        let startedAtMillis = nowMillis(), started = ContinuousClock.now
        let report = await sender.attempt(job, endpoint: endpoint, signer: signer)
        let delivered = if case let .status(code, _) = report.outcome { (200..<300).contains(code) } else { false }
        await lanes.release(key, delivered: delivered)
        await attemptLog?.record(AttemptRecord(job: job, endpointID: endpoint.id, attempt: 1, atMillis: startedAtMillis,
                                               outcome: report.outcome, delivered: delivered, latency: ContinuousClock.now - started,
                                               responseBody: report.responseExcerpt))
        if !report.outcome.isRefusal { breaker.record(key, success: delivered) }
        guard delivered else { return false }
        metrics?.delivered.increment()
        return true
    }

}
