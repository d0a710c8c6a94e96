import Foundation

/// How the engine resolves a job durably: parked or scheduled in the retry queue, or dead-lettered,
/// with AWS outages retried until they end and permanent refusals turned into another resolution.
extension DeliveryEngine {
    /// Not attempted now: into the retry queue with the attempt number unchanged. A `deferral` (lane
    /// full, circuit open) backs the event off along its schedule; a rate-limit park does not, since
    /// the endpoint did nothing wrong.
    func park(_ job: DeliveryJob, _ history: History, delay: Duration, deferral: Bool = true) async throws -> DeliveryResult {
        var parked = history
        if deferral { parked.deferrals += 1 }
        if let refused = try await enqueue(job, parked, delay: delay) {
            return try await deadLetter(job, refused, attempts: history.attempt - 1, status: history.lastStatus)
        }
        metrics?.parked.increment()
        return .parked(attempt: history.attempt)
    }

    /// Stores the follow-up durably; the reason to dead-letter instead when the retry queue refuses it
    /// for what it carries.
    func enqueue(_ job: DeliveryJob, _ history: History, delay: Duration) async throws -> DeadLetterReason? {
        let retry = PendingRetry(clientID: job.clientID, eventKey: job.eventKey, eventID: job.eventID,
                                 endpointID: job.endpointID ?? Endpoint.defaultID, attempt: history.attempt,
                                 firstAttemptAtMillis: history.firstAttemptAtMillis,
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
    func untilDurable<T: Sendable>(_ what: String, _ job: DeliveryJob, _ operation: () async throws -> T) async throws -> T {
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

    /// For writes that only keep the endpoint's health: an outage is retried, a permanent refusal
    /// logged and skipped (the delivery outcome does not depend on it).
    func bestEffort(_ what: String, _ job: DeliveryJob, _ operation: () async throws -> Void) async throws {
        do {
            try await untilDurable(what, job, operation)
        } catch let error as AWSError where error.isPermanent {
            logger.error("\(what) was refused; skipped", metadata: ["client": "\(job.clientID)", "error": "\(error)"])
        }
    }

    /// A record is resolved only once its dead letter is durable.
    func deadLetter(_ job: DeliveryJob, _ reason: DeadLetterReason, attempts: Int, status: Int?) async throws -> DeliveryResult {
        let letter = DeadLetter(reason: reason, clientID: job.clientID, eventID: job.eventID, attempts: attempts, lastStatus: status,
                                eventKey: job.eventKey, endpointID: job.endpointID)
        do {
            try await untilDurable("publishing the dead letter", job) { try await deadLetters.publish(payload: job.payload, letter: letter) }
        } catch let error as AWSError where error.isPermanent {
            // Even the reference form was refused. The event stays in the Events table (pismo replay
            // reaches it); holding the record would stop the shard for every tenant behind it.
            metrics?.deadLettersRefused.increment()
            logger.error("deliver-dlq refused the dead letter; the event stays only in the Events table",
                         metadata: ["client": "\(job.clientID)", "event": "\(job.eventID)", "event_key": "\(job.eventKey)",
                                    "endpoint": "\(job.endpointID ?? "")", "reason": "\(reason)", "error": "\(error)"])
        }
        metrics?.deadLettered.increment()
        return .deadLettered(letter)
    }
}
