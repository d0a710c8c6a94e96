import Transport

/// The retry queue (`deliver-retry`) on SQS: the engine schedules follow-up attempts into it, the
/// retry worker receives, re-hides and deletes them. The queue URL is looked up on first use, so a
/// process that never retries (the processor's direct dispatch) never needs the queue to exist.
public final class SQSRetryQueue: RetryScheduler, RetryQueue {
    private let sqs: SQSClient
    private let nameOrURL: String
    private let resolve: @Sendable (String) async throws -> String
    private let resolved = Locked<String?>(nil)

    public init(sqs: SQSClient, queue nameOrURL: String, resolve: @escaping @Sendable (String) async throws -> String) {
        self.sqs = sqs
        self.nameOrURL = nameOrURL
        self.resolve = resolve
    }

    private func url() async throws -> String {
        if let known = resolved.withLock({ $0 }) { return known }
        let url = try await resolve(nameOrURL)
        resolved.withLock { $0 = url }
        return url
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
