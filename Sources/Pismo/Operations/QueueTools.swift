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

    /// Moves every message from `source` to `target` (only those whose `pismo-error` carries `code`,
    /// when given; the others are made visible again at once): sent first, deleted only once sent, so
    /// a crash in between duplicates a message but never loses one. Pismo's own attributes are dropped.
    public func move(from source: String, to target: String, code: DeadLetterCode? = nil,
                     progress: (Int) -> Void = { _ in }) async throws -> Int {
        var moved = 0
        var seen = Set<String>()
        while true {
            let batch = try await aws.sqs.receiveMessage(queueURL: source, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 60)
            let fresh = batch.filter { seen.insert($0.messageID).inserted }
            for message in batch where !fresh.contains(where: { $0.messageID == message.messageID }) { await release(message, source) }
            if fresh.isEmpty { return moved }
            for message in fresh {
                guard code == nil || Self.code(of: message) == code else {
                    await release(message, source)
                    continue
                }
                let attributes = message.messageAttributes.filter { !$0.key.hasPrefix("pismo-") }
                _ = try await aws.sqs.sendMessage(queueURL: target, body: message.body, attributes: attributes)
                try await aws.sqs.deleteMessage(queueURL: source, receiptHandle: message.receiptHandle)
                moved += 1
            }
            progress(moved)
        }
    }

    /// The code of a dead letter's `pismo-error`, if it has one.
    public static func code(of message: SQSMessage) -> DeadLetterCode? {
        message.messageAttributes["pismo-error"]?.stringValue.flatMap(DeadLetterReason.code(of:))
    }

    /// What a deliver-dlq message asks to deliver; nil when it refers to an event no longer stored.
    static func job(for message: SQSMessage, events: any StoredEvents) async throws -> DeliveryJob? {
        let clientID = message.messageAttributes["pismo-client-id"]?.stringValue ?? ""
        let eventID = message.messageAttributes["pismo-event-id"]?.stringValue ?? message.messageID
        // A letter of one endpoint goes back to that endpoint only; one without (no route) to all.
        let endpointID = message.messageAttributes["pismo-endpoint"]?.stringValue
        guard message.messageAttributes[StoredEventReference.bodyAttribute]?.stringValue == StoredEventReference.bodyAttributeValue else {
            return DeliveryJob(clientID: clientID, eventID: eventID, eventType: "", payload: Array(message.body.utf8), endpointID: endpointID)
        }
        guard let reference = StoredEventReference(json: message.body),
              var job = try await events.storedEvent(clientID: reference.clientID, eventKey: reference.eventKey) else { return nil }
        job.endpointID = endpointID
        return job
    }

    private func release(_ message: SQSMessage, _ queueURL: String) async {
        try? await aws.sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle, visibilityTimeout: 0)
    }

    /// Re-attempts delivery of every dead letter in `deliver-dlq` (one attempt each); removes only
    /// what was delivered, leaves the rest in place (made visible again at once). A letter that
    /// carries a reference (`pismo-body: reference`) is delivered with the payload read back from
    /// the Events table; one whose event is gone stays in place.
    public func redeliver(queueURL: String, engine: DeliveryEngine, events: any StoredEvents,
                          progress: (Int, Int) -> Void = { _, _ in })
        async throws -> (delivered: Int, remaining: Int) {
        var delivered = 0, remaining = 0
        var seen = Set<String>()
        while true {
            let batch = try await aws.sqs.receiveMessage(queueURL: queueURL, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 60)
            let fresh = batch.filter { seen.insert($0.messageID).inserted }
            if fresh.isEmpty {
                for message in batch { await release(message, queueURL) }
                return (delivered, remaining)
            }
            for message in fresh {
                if let job = try await Self.job(for: message, events: events), await engine.attemptOnce(job) {
                    try await aws.sqs.deleteMessage(queueURL: queueURL, receiptHandle: message.receiptHandle)
                    delivered += 1
                } else {
                    remaining += 1
                    await release(message, queueURL)
                }
            }
            progress(delivered, remaining)
        }
    }
}
