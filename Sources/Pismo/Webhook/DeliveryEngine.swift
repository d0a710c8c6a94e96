import Foundation
import Logging

/// Delivers events to their clients' webhooks: route lookup, circuit breaker, signed POST, and what
/// follows from its outcome — delivered, dead-lettered, or the next attempt scheduled in the retry
/// queue. Shared by the stream path and the retry worker (`pismo deliver`) and direct dispatch
/// (`pismo processor`, one attempt only).
///
/// Invariants:
/// - `deliver` makes at most one attempt and returns only once the job is *resolved*: delivered, its
///   dead letter durably published, or its follow-up durably in the retry queue. A retry never waits
///   in memory, so no failing endpoint can hold a stream record (or the checkpoint behind it) for
///   longer than one attempt. Infrastructure failures (routes table, DLQ, retry queue unreachable) are
///   retried, never turned into a loss; cancellation (shutdown) throws, leaving the job unresolved.
/// - Each client has its own concurrency lane (`KeyedLimiter`): at most `perClientConcurrency`
///   attempts run and as many wait; a job beyond that (a slow client) is parked in the retry queue
///   instead of held in memory, and so is every job of an endpoint whose circuit is open.
public final class DeliveryEngine: Sendable {
    private let routes: any RouteStore
    private let sender: WebhookSender
    private let deadLetters: any DeadLetterPublisher
    private let retries: any RetryScheduler
    private let health: (any RouteHealth)?
    /// An endpoint failing without a single success for this long is disabled.
    private let disableAfter: Duration
    private let policy: DeliveryPolicy
    /// Internal (not private) so tests can observe lanes instead of sleeping.
    let lanes: KeyedLimiter
    let breaker: CircuitBreaker
    private let perClientConcurrency: Int
    /// How long a job parked because its client's lane is full waits before it is tried again.
    private let parkDelay: Duration
    private let metrics: DeliveryMetrics?
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Outages of the routes table, the DLQ or the retry queue: retried until they end.
    private static let infrastructureBackoff = Backoff(base: .milliseconds(100), cap: .seconds(20))

    public init(routes: any RouteStore, sender: WebhookSender, deadLetters: any DeadLetterPublisher,
                retries: any RetryScheduler, health: (any RouteHealth)? = nil, disableAfter: Duration = .seconds(5 * 86_400),
                policy: DeliveryPolicy, perClientConcurrency: Int = 8,
                parkDelay: Duration = .seconds(5), breaker: CircuitBreaker.Options = CircuitBreaker.Options(),
                metrics: DeliveryMetrics? = nil, logger: Logger = Logger(label: "pismo.webhook"),
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
        self.metrics = metrics
        self.sleep = sleep
        self.now = now
        self.logger = logger
        self.breaker = CircuitBreaker(options: breaker) { key, from, to in
            metrics?.circuitChanged(from: from, to: to)
            logger.warning("circuit \(to.rawValue)", metadata: ["endpoint": "\(key)", "was": "\(from.rawValue)"])
        }
    }

    /// Attempt number `attempt` for `job` (1 from the stream; the retry worker passes the number its
    /// message carries, with the time attempt 1 was made and the last status seen).
    public func deliver(_ job: DeliveryJob, attempt: Int = 1, firstAttemptAtMillis: Int64? = nil,
                        lastStatus: Int? = nil, deferrals: Int = 0) async throws -> DeliveryResult {
        let history = History(attempt: attempt, firstAttemptAtMillis: firstAttemptAtMillis ?? nowMillis(), lastStatus: lastStatus,
                              deferrals: deferrals)
        if let expired = expiry(history) {
            return try await deadLetter(job, expired, attempts: attempt - 1, status: lastStatus)
        }
        if job.eventKey.isEmpty {
            await lanes.acquire(job.clientID)  // cannot be parked by reference: wait for the lane
        } else if await !lanes.acquire(job.clientID, maxWaiters: perClientConcurrency) {
            return try await park(job, history, delay: parkDelay)
        }
        metrics?.inFlight.add(1)
        do {
            let result = try await deliverHoldingLane(job, history)
            metrics?.inFlight.add(-1)
            await lanes.release(job.clientID)
            return result
        } catch {
            metrics?.inFlight.add(-1)
            await lanes.release(job.clientID)
            throw error
        }
    }

    /// Where a job stands in its schedule.
    private struct History {
        var attempt: Int
        var firstAttemptAtMillis: Int64
        var lastStatus: Int?
        var deferrals: Int
    }

    /// A job of an endpoint whose circuit is open waits along the schedule (at least until the next
    /// probe), as failures would make it, so a circuit open for a day costs each event a few parks.
    private func openCircuitParkDelay(_ history: History) -> Duration {
        let step = min(history.attempt + history.deferrals + 1, policy.maxAttempts)
        return max(breaker.options.probeInterval, policy.schedule.delay(beforeAttempt: step) ?? policy.schedule.longestDelay)
    }

    /// The retry worker's cheap park: when `clientID`'s endpoint circuit is open and no probe is due,
    /// how long a retry-queue message should stay hidden where it is — no event read, no new message,
    /// one request instead of four. nil when the job should go through `deliver` (circuit closed, a
    /// probe due, or the job past its lifetime, which `deliver` dead-letters).
    public func openCircuitDelay(clientID: String, attempt: Int, firstAttemptAtMillis: Int64, deferrals: Int) -> Duration? {
        let history = History(attempt: attempt, firstAttemptAtMillis: firstAttemptAtMillis, lastStatus: nil, deferrals: deferrals)
        guard breaker.wouldPark(Self.endpointKey(clientID: clientID)), expiry(history) == nil else { return nil }
        metrics?.parked.increment()
        return openCircuitParkDelay(history)
    }

    /// However often an event is parked, it lives no longer than its schedule: past the schedule's
    /// whole length (at its longest jitter) after attempt 1, it is dead-lettered.
    private func expiry(_ history: History) -> DeadLetterReason? {
        guard history.deferrals > 0 else { return nil }
        let lifetime = Int64(policy.schedule.total.seconds * 1.2 * 1000) + Int64(breaker.options.probeInterval.seconds * 1000)
        guard nowMillis() - history.firstAttemptAtMillis > lifetime else { return nil }
        return DeadLetterReason(.attemptsExhausted, "not delivered within the retry schedule: \(history.attempt - 1) attempts, "
                                + "\(history.deferrals) times parked (client lane full or circuit open)")
    }

    private func deliverHoldingLane(_ job: DeliveryJob, _ history: History) async throws -> DeliveryResult {
        let (route, signer): (Route, WebhookSigner?)
        switch try await resolveRoute(job) {
        case let .deadLetter(reason):
            return try await deadLetter(job, reason, attempts: history.attempt - 1, status: history.lastStatus)
        case let .route(found, foundSigner):
            (route, signer) = (found, foundSigner)
        }
        let endpoint = Self.endpointKey(job)
        if breaker.permit(endpoint) == .park {
            return try await park(job, history, delay: openCircuitParkDelay(history))
        }
        let started = ContinuousClock.now
        let outcome = await sender.attempt(job, route: route, signer: signer)
        // An attempt cut short by shutdown says nothing about the endpoint: leave the job unresolved
        // (the stream or the retry queue hands it out again) instead of counting it.
        try Task.checkCancellation()
        metrics?.attemptLatency.observe(ContinuousClock.now - started)
        metrics?.attempted(number: history.attempt)
        var status = history.lastStatus
        if case let .status(code, _) = outcome { status = code }
        let decision = policy.decide(outcome, attempt: history.attempt)
        // A refused destination was never contacted: it says nothing of the endpoint's health.
        if !outcome.isRefusal {
            breaker.record(endpoint, success: decision == .delivered)
            if let disabled = try await recordHealth(job, route, outcome, delivered: decision == .delivered) {
                return try await deadLetter(job, disabled, attempts: history.attempt, status: status)
            }
        }
        switch decision {
        case .delivered:
            metrics?.delivered.increment()
            return .delivered(attempts: history.attempt)
        case let .fail(reason):
            return try await deadLetter(job, reason, attempts: history.attempt, status: status)
        case let .retry(after):
            guard !job.eventKey.isEmpty else {
                return try await deadLetter(job, DeadLetterReason(.attemptsExhausted, "\(history.attempt) attempts; no stored event to retry"),
                                            attempts: history.attempt, status: status)
            }
            var next = history
            next.attempt += 1
            next.lastStatus = status
            if let refused = try await enqueue(job, next, delay: after) {
                return try await deadLetter(job, refused, attempts: history.attempt, status: status)
            }
            metrics?.retried.increment()
            return .retryScheduled(attempt: next.attempt)
        }
    }

    /// Keeps the route's health (Standard Webhooks' 410 Gone disables at once; failing without a
    /// success for `disableAfter` disables too); returns the reason when this attempt disabled it.
    /// Writes only on a change of state, so a healthy endpoint costs nothing.
    private func recordHealth(_ job: DeliveryJob, _ route: Route, _ outcome: DeliveryPolicy.Outcome,
                              delivered: Bool) async throws -> DeadLetterReason? {
        guard let health else { return nil }
        let now = self.now()
        if delivered {
            if route.failingSinceMillis != nil { try? await health.clearFailing(clientID: job.clientID) }
            return nil
        }
        var disabling: String?
        if case .status(410, _) = outcome {
            disabling = "the endpoint answered 410 Gone"
        } else if let since = route.failingSinceMillis {
            if UTCTime.millisecondsSince1970(now) - since >= Int64(disableAfter.seconds * 1000) {
                disabling = "failing without a success since \(UTCTime.iso8601(millisecondsSince1970: since))"
            }
        } else {
            try await bestEffort("recording the route's failing streak", job) {
                try await health.markFailing(clientID: job.clientID, sinceMillis: UTCTime.millisecondsSince1970(now))
            }
        }
        guard let disabling else { return nil }
        try await bestEffort("disabling the route", job) {
            try await health.disable(clientID: job.clientID, reason: disabling, at: UTCTime.iso8601(now))
        }
        metrics?.disabledRoutes.increment()
        logger.warning("route disabled", metadata: ["client": "\(job.clientID)", "reason": "\(disabling)"])
        return DeadLetterReason(.disabled, "\(disabling): route disabled")
    }

    /// The breaker's key: one circuit per endpoint of a client (one endpoint per client today).
    static func endpointKey(_ job: DeliveryJob) -> String { endpointKey(clientID: job.clientID) }
    static func endpointKey(clientID: String) -> String { clientID + "/default" }

    /// Not attempted now: into the retry queue with the attempt number unchanged.
    private func park(_ job: DeliveryJob, _ history: History, delay: Duration) async throws -> DeliveryResult {
        var parked = history
        parked.deferrals += 1
        if let refused = try await enqueue(job, parked, delay: delay) {
            return try await deadLetter(job, refused, attempts: history.attempt - 1, status: history.lastStatus)
        }
        metrics?.parked.increment()
        return .parked(attempt: history.attempt)
    }

    /// Stores the follow-up durably; the reason to dead-letter instead when the retry queue refuses it
    /// for what it carries.
    private func enqueue(_ job: DeliveryJob, _ history: History, delay: Duration) async throws -> DeadLetterReason? {
        let retry = PendingRetry(clientID: job.clientID, eventKey: job.eventKey, eventID: job.eventID,
                                 attempt: history.attempt, firstAttemptAtMillis: history.firstAttemptAtMillis,
                                 dueAtMillis: nowMillis() + Int64(delay.seconds * 1000), lastStatus: history.lastStatus,
                                 deferrals: history.deferrals)
        do {
            try await untilDurable("storing the retry", job) { try await retries.schedule(retry, delay: delay) }
            return nil
        } catch let error as AWSError where error.isPermanent {
            return DeadLetterReason(.awsRefused, "the retry queue refused the follow-up: \(error)")
        }
    }

    /// Retries an infrastructure call (routes table, DLQ, retry queue) through outages, visibly: a
    /// warning at the first failure and then at most every 30 s. A permanent refusal is thrown at
    /// once — retrying could never succeed — for the caller to resolve the job another way.
    private func untilDurable<T: Sendable>(_ what: String, _ job: DeliveryJob, _ operation: () async throws -> T) async throws -> T {
        let metrics = self.metrics
        var visibility = RetryVisibility(warning: "\(what) failed; retrying",
                                         context: ["client": "\(job.clientID)", "event": "\(job.eventID)"],
                                         interval: .seconds(30), logger: logger) { error, code in
            let aws = error as? AWSError
            metrics?.retriedError(operation: aws.map { "\($0.service).\($0.operation)" } ?? what, code: code)
        }
        return try await retryUntilDone(backoff: Self.infrastructureBackoff, sleep: sleep, onFailure: { error, failures in
            if let aws = error as? AWSError, aws.isPermanent { throw error }
            visibility.failed(error, failures: failures)
        }, operation)
    }

    /// For writes that only keep the route's health: an outage is retried, a permanent refusal logged
    /// and skipped (the delivery outcome does not depend on it).
    private func bestEffort(_ what: String, _ job: DeliveryJob, _ operation: () async throws -> Void) async throws {
        do {
            try await untilDurable(what, job, operation)
        } catch let error as AWSError where error.isPermanent {
            logger.error("\(what) was refused; skipped", metadata: ["client": "\(job.clientID)", "error": "\(error)"])
        }
    }

    private func nowMillis() -> Int64 { UTCTime.millisecondsSince1970(now()) }

    /// Direct dispatch: exactly one attempt, no retries, no dead-lettering. Returns true when the
    /// endpoint answered 2xx; anything else leaves the event to the stream path — including an event
    /// of a client whose lane is full *and* already has a lane's worth queued (a slow or hanging
    /// endpoint): a burst waits its turn, a backlog goes to the stream path instead of piling up.
    public func attemptOnce(_ job: DeliveryJob) async -> Bool {
        guard let route = try? await routes.route(for: job.clientID) else { return false }
        var signer: WebhookSigner?
        if let secret = route.secret {
            guard let valid = try? WebhookSigner(secret: secret) else { return false }
            signer = valid
        }
        let endpoint = Self.endpointKey(job)
        guard breaker.permit(endpoint) != .park else { return false }
        guard await lanes.acquire(job.clientID, maxWaiters: perClientConcurrency) else { return false }
        let outcome = await sender.attempt(job, route: route, signer: signer)
        await lanes.release(job.clientID)
        let delivered = if case let .status(code, _) = outcome { (200..<300).contains(code) } else { false }
        if !outcome.isRefusal { breaker.record(endpoint, success: delivered) }
        guard delivered else { return false }
        metrics?.delivered.increment()
        return true
    }

    private enum RouteResolution {
        case route(Route, WebhookSigner?)
        case deadLetter(DeadLetterReason)
    }

    /// A routes-table outage is retried (never dead-letters); a missing route or a bad secret is final.
    private func resolveRoute(_ job: DeliveryJob) async throws -> RouteResolution {
        let route: Route?
        do {
            route = try await untilDurable("looking the route up", job) { try await routes.route(for: job.clientID) }
        } catch let error as AWSError where error.isPermanent {
            return .deadLetter(DeadLetterReason(.awsRefused, "the routes table refused the lookup of client \(job.clientID): \(error)"))
        }
        guard let route else { return .deadLetter(DeadLetterReason(.noRoute, "no route for client \(job.clientID)")) }
        if let disabledAt = route.disabledAt {
            return .deadLetter(DeadLetterReason(.disabled, "the route was disabled at \(disabledAt): \(route.disabledReason ?? "no reason recorded")"))
        }
        do {
            return .route(route, try route.secret.map { try WebhookSigner(secret: $0) })
        } catch {
            return .deadLetter(DeadLetterReason(.badSecret, "invalid route secret: \(error)"))
        }
    }

    /// A record is resolved only once its dead letter is durable.
    private func deadLetter(_ job: DeliveryJob, _ reason: DeadLetterReason, attempts: Int, status: Int?) async throws -> DeliveryResult {
        let letter = DeadLetter(reason: reason, clientID: job.clientID, eventID: job.eventID, attempts: attempts, lastStatus: status,
                                eventKey: job.eventKey)
        do {
            try await untilDurable("publishing the dead letter", job) { try await deadLetters.publish(payload: job.payload, letter: letter) }
        } catch let error as AWSError where error.isPermanent {
            // Even the reference form was refused. The event stays in the Events table (pismo replay
            // reaches it); holding the record would stop the shard for every tenant behind it.
            metrics?.deadLettersRefused.increment()
            logger.error("deliver-dlq refused the dead letter; the event stays only in the Events table",
                         metadata: ["client": "\(job.clientID)", "event": "\(job.eventID)", "event_key": "\(job.eventKey)",
                                    "reason": "\(reason)", "error": "\(error)"])
        }
        metrics?.deadLettered.increment()
        return .deadLettered(letter)
    }
}
