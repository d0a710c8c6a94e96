import Transport

/// The retry queue (`deliver-retry`) on SQS: the engine schedules follow-up attempts into it, the
/// retry worker receives, re-hides and deletes them. The queue URL is looked up on first use, so a
/// process that never retries (the processor's direct dispatch) never needs the queue to exist.
public final class SQSRetryQueue: RetryScheduler, RetryQueue {
    private let sqs: SQSClient
    private let nameOrURL: String
    private let resolve: @Sendable (String) async throws -> String
    /// One lookup shared by every caller: at saturation deliver parks hundreds of events at once, and
    /// each used to run its own GetQueueUrl before the first answer was cached (0.33 per event).
    private let resolved = Locked<Task<String, any Error>?>(nil)

    public init(sqs: SQSClient, queue nameOrURL: String, resolve: @escaping @Sendable (String) async throws -> String) {
        self.sqs = sqs
        self.nameOrURL = nameOrURL
        self.resolve = resolve
    }

    private func url() async throws -> String {
        let (resolve, name) = (self.resolve, nameOrURL)
        let lookup = resolved.withLock { current -> Task<String, any Error> in
            if let current { return current }
            let started = Task { try await resolve(name) }
            current = started
            return started
        }
        do {
            return try await lookup.value
        } catch {
            resolved.withLock { if $0 == lookup { $0 = nil } }  // a failed lookup is retried by the next caller
            throw error
        }
    }

    public func schedule(_ retry: PendingRetry, delay: Duration) async throws {
        _ = try await sqs.sendMessage(queueURL: try await url(), body: retry.json,
                                      delaySeconds: RetrySchedule.sqsDelaySeconds(for: delay))
    }

    public func receive(maxMessages: Int, waitSeconds: Int, visibilitySeconds: Int) async throws -> [RetryMessage] {
        try await sqs.receiveMessage(queueURL: try await url(), maxMessages: maxMessages, waitSeconds: waitSeconds,
                                     visibilityTimeout: visibilitySeconds).map {
            RetryMessage(receiptHandle: $0.receiptHandle, body: $0.body, receiveCount: $0.receiveCount)
        }
    }

    public func hide(_ receiptHandle: String, seconds: Int) async throws {
        try await sqs.changeMessageVisibility(queueURL: try await url(), receiptHandle: receiptHandle, visibilityTimeout: seconds)
    }

    public func delete(_ receiptHandle: String) async throws {
        try await sqs.deleteMessage(queueURL: try await url(), receiptHandle: receiptHandle)
    }
}
