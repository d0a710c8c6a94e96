import Foundation

/// One endpoint's share of a job: its lane, rate limit, circuit, the attempt, and its outcome.
extension DeliveryEngine {
    func deliver(_ job: DeliveryJob, to endpoint: Endpoint, _ history: History) async throws -> DeliveryResult {
        var job = job
        job.endpointID = endpoint.id
        if let disabledAt = endpoint.disabledAt {
            let reason = DeadLetterReason(.disabled, "the endpoint was disabled at \(disabledAt): \(endpoint.disabledReason ?? "no reason recorded")")
            return try await deadLetter(job, reason, attempts: history.attempt - 1, status: history.lastStatus)
        }
        let preparation = EndpointPreparation.of(endpoint, clientID: job.clientID, nowMillis: nowMillis())
        let signer: WebhookSigner?
        switch preparation.signer {
        case let .success(found):
            signer = found
        case let .failure(violation):
            return try await deadLetter(job, DeadLetterReason(violation.deadLetterCode, "endpoint '\(endpoint.id)': \(violation)"),
                                        attempts: history.attempt - 1, status: history.lastStatus)
        }
        let key = preparation.key
        if job.eventKey.isEmpty {
            await lanes.acquire(key)  // cannot be parked by reference: wait for the lane
        } else if await !lanes.acquire(key, maxWaiters: perClientConcurrency, patience: backlogPatience) {
            return try await park(job, history, delay: parkDelay)
        }
        metrics?.inFlight.add(1)
        defer { metrics?.inFlight.add(-1) }
        do {
            let result = try await deliverHoldingLane(job, endpoint, signer, key, history)
            let delivered = if case .delivered = result { true } else { false }
            await lanes.release(key, delivered: delivered)
            return result
        } catch {
            await lanes.release(key)
            throw error
        }
    }

    private func deliverHoldingLane(_ job: DeliveryJob, _ endpoint: Endpoint, _ signer: WebhookSigner?, _ key: String,
                                    _ history: History) async throws -> DeliveryResult {
        if let rate = endpoint.ratePerSecond {
            // Waiting for a token is not a failed attempt: it holds only this endpoint's lane, for at
            // most `maxRateWait`; a longer backlog goes to the retry queue, attempt number unchanged.
            switch rateLimiter.reserve(key, ratePerSecond: rate, maxWait: job.eventKey.isEmpty ? .seconds(3600) : maxRateWait) {
            case .wait(.zero):
                break
            case let .wait(wait):
                metrics?.rateLimitWaits.increment()
                try await sleep(wait)
            case let .backlog(wait):
                metrics?.rateLimitParks.increment()
                return try await park(job, history, delay: max(wait, .seconds(1)) * Double.random(in: 1...1.5), deferral: false)
            }
        }
        if breaker.permit(key) == .park {
            return try await park(job, history, delay: openCircuitParkDelay(history))
        }
        let startedAtMillis = nowMillis(), started = ContinuousClock.now
        let report = await sender.attempt(job, endpoint: endpoint, signer: signer)
        // An attempt cut short by shutdown says nothing about the endpoint: leave the job unresolved
        // (the stream or the retry queue hands it out again) instead of counting it.
        try Task.checkCancellation()
        metrics?.attemptLatency.observe(ContinuousClock.now - started)
        metrics?.attempted(number: history.attempt)
        var status = history.lastStatus
        if case let .status(code, _) = report.outcome { status = code }
        let decision = policy.decide(report.outcome, attempt: history.attempt)
        await attemptLog?.record(AttemptRecord(job: job, endpointID: endpoint.id, attempt: history.attempt, atMillis: startedAtMillis,
                                               outcome: report.outcome, delivered: decision == .delivered,
                                               latency: ContinuousClock.now - started, responseBody: report.responseExcerpt))
        // A refused destination was never contacted: it says nothing of the endpoint's health.
        if !report.outcome.isRefusal {
            breaker.record(key, success: decision == .delivered)
            if let disabled = try await recordHealth(job, endpoint, report.outcome, delivered: decision == .delivered) {
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

    /// Keeps the endpoint's health (Standard Webhooks' 410 Gone disables at once; failing without a
    /// success for `disableAfter` disables too); returns the reason when this attempt disabled it.
    /// Writes only on a change of state, so a healthy endpoint costs nothing.
    private func recordHealth(_ job: DeliveryJob, _ endpoint: Endpoint, _ outcome: DeliveryPolicy.Outcome,
                              delivered: Bool) async throws -> DeadLetterReason? {
        guard let health else { return nil }
        let now = self.now()
        if delivered {
            if endpoint.failingSinceMillis != nil { try? await health.clearFailing(clientID: job.clientID, endpointID: endpoint.id) }
            return nil
        }
        var disabling: String?
        if case .status(410, _) = outcome {
            disabling = "the endpoint answered 410 Gone"
        } else if let since = endpoint.failingSinceMillis {
            if UTCTime.millisecondsSince1970(now) - since >= Int64(disableAfter.seconds * 1000) {
                disabling = "failing without a success since \(UTCTime.iso8601(millisecondsSince1970: since))"
            }
        } else {
            try await bestEffort("recording the endpoint's failing streak", job) {
                try await health.markFailing(clientID: job.clientID, endpointID: endpoint.id, sinceMillis: UTCTime.millisecondsSince1970(now))
            }
        }
        guard let disabling else { return nil }
        try await bestEffort("disabling the endpoint", job) {
            try await health.disable(clientID: job.clientID, endpointID: endpoint.id, reason: disabling, at: UTCTime.iso8601(now))
        }
        metrics?.disabledRoutes.increment()
        logger.warning("endpoint disabled", metadata: ["client": "\(job.clientID)", "endpoint": "\(endpoint.id)", "reason": "\(disabling)"])
        return DeadLetterReason(.disabled, "\(disabling): endpoint disabled")
    }
}
