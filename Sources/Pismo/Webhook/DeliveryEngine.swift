/// Delivers events to their clients' webhooks: route lookup, signed POST, retries with backoff,
/// dead-lettering. Shared by the stream path (`pismo deliver`) and direct dispatch (`pismo processor`).
///
/// Invariants:
/// - `deliver` returns only once the job is *resolved*: delivered, or its dead letter is durably
///   published. Infrastructure failures (routes table, DLQ unreachable) are retried, never turned into
///   a loss; cancellation (shutdown) throws, leaving the job unresolved so the stream replays it.
/// - Each client has its own concurrency lane (`KeyedLimiter`), so one slow or failing endpoint can
///   only ever occupy its own slots.
public final class DeliveryEngine: Sendable {
    private let routes: any RouteStore
    private let sender: WebhookSender
    private let deadLetters: any DeadLetterPublisher
    private let policy: DeliveryPolicy
    /// Internal (not private) so tests can observe lanes instead of sleeping.
    let lanes: KeyedLimiter
    private let perClientConcurrency: Int
    private let metrics: DeliveryMetrics?
    private let sleep: @Sendable (Duration) async throws -> Void

    public init(routes: any RouteStore, sender: WebhookSender, deadLetters: any DeadLetterPublisher,
                policy: DeliveryPolicy, perClientConcurrency: Int = 8, metrics: DeliveryMetrics? = nil,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await ServiceSleep.sleep(for: $0) }) {
        self.routes = routes
        self.sender = sender
        self.deadLetters = deadLetters
        self.policy = policy
        self.lanes = KeyedLimiter(limit: perClientConcurrency)
        self.perClientConcurrency = max(1, perClientConcurrency)
        self.metrics = metrics
        self.sleep = sleep
    }

    public func deliver(_ job: DeliveryJob) async throws -> DeliveryResult {
        await lanes.acquire(job.clientID)
        metrics?.inFlight.add(1)
        do {
            let result = try await deliverHoldingLane(job)
            metrics?.inFlight.add(-1)
            await lanes.release(job.clientID)
            return result
        } catch {
            metrics?.inFlight.add(-1)
            await lanes.release(job.clientID)
            throw error
        }
    }

    private func deliverHoldingLane(_ job: DeliveryJob) async throws -> DeliveryResult {
        let result: DeliveryResult
        switch try await resolveRoute(job) {
        case let .deadLetter(letter):
            result = .deadLettered(letter)
        case let .route(route, signer):
            result = try await attemptUntilResolved(job, route: route, signer: signer)
        }
        if case let .deadLettered(letter) = result {
            try await publishDurably(job.payload, letter)
        }
        return result
    }

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
        guard await lanes.acquire(job.clientID, maxWaiters: perClientConcurrency) else { return false }
        let outcome = await sender.attempt(job, route: route, signer: signer)
        await lanes.release(job.clientID)
        guard case let .status(code, _) = outcome, (200..<300).contains(code) else { return false }
        metrics?.delivered.increment()
        return true
    }

    private enum RouteResolution {
        case route(Route, WebhookSigner?)
        case deadLetter(DeadLetter)
    }

    /// A routes-table outage is retried (never dead-letters); a missing route or a bad secret is final.
    private func resolveRoute(_ job: DeliveryJob) async throws -> RouteResolution {
        let route = try await retryUntilDone(backoff: policy.backoff, sleep: sleep) { try await routes.route(for: job.clientID) }
        guard let route else {
            return .deadLetter(letter(job, DeadLetterReason(.noRoute, "no route for client \(job.clientID)"), attempts: 0, status: nil))
        }
        do {
            return .route(route, try route.secret.map { try WebhookSigner(secret: $0) })
        } catch {
            return .deadLetter(letter(job, DeadLetterReason(.badSecret, "invalid route secret: \(error)"), attempts: 0, status: nil))
        }
    }

    private func attemptUntilResolved(_ job: DeliveryJob, route: Route, signer: WebhookSigner?) async throws -> DeliveryResult {
        var lastStatus: Int?
        var attempt = 0
        while true {
            try Task.checkCancellation()
            attempt += 1
            let started = ContinuousClock.now
            let outcome = await sender.attempt(job, route: route, signer: signer)
            // An attempt cut short by shutdown says nothing about the endpoint: leave the job
            // unresolved (the stream replays it) instead of counting it towards the DLQ.
            try Task.checkCancellation()
            metrics?.attemptLatency.observe(ContinuousClock.now - started)
            if case let .status(code, _) = outcome { lastStatus = code }
            switch policy.decide(outcome, attempt: attempt) {
            case .delivered:
                metrics?.delivered.increment()
                return .delivered(attempts: attempt)
            case let .fail(reason):
                return .deadLettered(letter(job, reason, attempts: attempt, status: lastStatus))
            case let .retry(after):
                metrics?.retried.increment()
                try await sleep(after)
            }
        }
    }

    private func publishDurably(_ payload: [UInt8], _ letter: DeadLetter) async throws {
        try await retryUntilDone(backoff: policy.backoff, sleep: sleep) {
            try await deadLetters.publish(payload: payload, letter: letter)
        }
        metrics?.deadLettered.increment()
    }

    private func letter(_ job: DeliveryJob, _ reason: DeadLetterReason, attempts: Int, status: Int?) -> DeadLetter {
        DeadLetter(reason: reason, clientID: job.clientID, eventID: job.eventID, attempts: attempts, lastStatus: status)
    }
}

/// The engine's instruments, registered once per process.
public struct DeliveryMetrics: Sendable {
    public let delivered: Counter
    public let retried: Counter
    public let deadLettered: Counter
    public let inFlight: Gauge
    public let attemptLatency: Histogram

    public init(registry: MetricsRegistry) {
        delivered = registry.counter("pismo_delivered_total", help: "Events delivered to a webhook (2xx).")
        retried = registry.counter("pismo_delivery_retries_total", help: "Webhook attempts that will be retried.")
        deadLettered = registry.counter("pismo_dead_lettered_total", help: "Events published to the deliver DLQ.",
                                        labels: [("queue", "deliver-dlq")])
        inFlight = registry.gauge("pismo_deliveries_in_flight", help: "Deliveries currently in progress.")
        attemptLatency = registry.histogram("pismo_webhook_attempt_seconds", help: "Latency of one webhook attempt.")
    }
}
