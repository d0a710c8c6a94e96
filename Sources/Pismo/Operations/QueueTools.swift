/// `pismo peek` and `pismo redrive`: operator tools over the queues.
public struct QueueTools: Sendable {
    let aws: PismoAWS

    public init(aws: PismoAWS) {
        self.aws = aws
    }

    /// Looks at up to `limit` messages without consuming them: each is received and immediately made
    /// visible again (visibility 0), so the pipeline is not disturbed beyond a receive count.
    /// A queue with a redrive policy (`events`) is only counted, never received from: every receive
    /// counts towards maxReceiveCount, so peeking could push valid events into the DLQ.
    public func peek(queueURL: String, limit: Int = 20) async throws -> (approximateCount: Int, messages: [SQSMessage]) {
        let count = try await aws.sqs.getQueueAttributes(queueURL: queueURL, names: ["ApproximateNumberOfMessages", "RedrivePolicy"])
        if count["RedrivePolicy"] != nil { return (Int(count["ApproximateNumberOfMessages"] ?? "") ?? 0, []) }
        var seen: [String: SQSMessage] = [:]
        for _ in 0..<5 where seen.count < limit {
            let batch = try await aws.sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 0, visibilityTimeout: 0)
            if batch.isEmpty { break }
            for message in batch where seen.count < limit { seen[message.messageID] = message }
        }
        return (Int(count["ApproximateNumberOfMessages"] ?? "") ?? seen.count, Array(seen.values))
    }

    /// Moves every message from `source` to `target`: sent first, deleted only once sent, so a crash
    /// in between duplicates a message but never loses one. Pismo's own attributes are dropped.
    public func move(from source: String, to target: String, progress: (Int) -> Void = { _ in }) async throws -> Int {
        var moved = 0
        while true {
            let batch = try await aws.sqs.receiveMessage(queueURL: source, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 60)
            if batch.isEmpty { return moved }
            for message in batch {
                let attributes = message.messageAttributes.filter { !$0.key.hasPrefix("pismo-") }
                _ = try await aws.sqs.sendMessage(queueURL: target, body: message.body, attributes: attributes)
                try await aws.sqs.deleteMessage(queueURL: source, receiptHandle: message.receiptHandle)
                moved += 1
            }
            progress(moved)
        }
    }

    /// Re-attempts delivery of every dead letter in `deliver-dlq` (one attempt each); removes only
    /// what was delivered, leaves the rest in place (made visible again at once).
    public func redeliver(queueURL: String, engine: DeliveryEngine, progress: (Int, Int) -> Void = { _, _ in })
        async throws -> (delivered: Int, remaining: Int) {
        var delivered = 0, remaining = 0
        var seen = Set<String>()
        while true {
            let batch = try await aws.sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 60)
            let fresh = batch.filter { seen.insert($0.messageID).inserted }
            if fresh.isEmpty {
                for message in batch { try? await aws.sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle, visibilityTimeout: 0) }
                return (delivered, remaining)
            }
            for message in fresh {
                let job = DeliveryJob(clientID: message.messageAttributes["pismo-client-id"]?.stringValue ?? "",
                                      eventID: message.messageAttributes["pismo-event-id"]?.stringValue ?? message.messageID,
                                      eventType: "", payload: Array(message.body.utf8))
                if await engine.attemptOnce(job) {
                    try await aws.sqs.deleteMessage(queueURL: queueURL, receiptHandle: message.receiptHandle)
                    delivered += 1
                } else {
                    remaining += 1
                    try? await aws.sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle, visibilityTimeout: 0)
                }
            }
            progress(delivered, remaining)
        }
    }
}
