/// Production adapters from the processor/deliver ports onto the SQS client.

/// The events queue, by URL.
public struct SQSEventQueue: EventQueue {
    let sqs: SQSClient
    let queueURL: String

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueueMessage] {
        try await sqs.receiveMessage(queueURL: queueURL, maxMessages: maxMessages, waitSeconds: waitSeconds).map {
            QueueMessage(messageID: $0.messageID, receiptHandle: $0.receiptHandle, body: Array($0.body.utf8),
                         receiveCount: $0.receiveCount)
        }
    }

    public func delete(_ receiptHandles: [String]) async throws -> [String] {
        try await inChunksOfTen(receiptHandles) { chunk in
            let entries = chunk.enumerated().map { (id: String($0.offset), receiptHandle: $0.element) }
            return try await sqs.deleteMessageBatch(queueURL: queueURL, entries: entries).failed
        }
    }

    public func extendVisibility(_ receiptHandles: [String], seconds: Int) async throws {
        _ = try await inChunksOfTen(receiptHandles) { chunk in
            let entries = chunk.enumerated().map {
                SQSVisibilityEntry(id: String($0.offset), receiptHandle: $0.element, visibilityTimeout: seconds)
            }
            return try await sqs.changeMessageVisibilityBatch(queueURL: queueURL, entries: entries).failed
        }
    }

    /// SQS batch calls take at most 10 entries, with ids "0"..."9"; returns the handles that failed.
    private func inChunksOfTen(_ handles: [String], _ call: ([String]) async throws -> [SQSBatchFailure]) async throws -> [String] {
        var failed: [String] = []
        var start = 0
        while start < handles.count {
            let chunk = Array(handles[start..<min(start + 10, handles.count)])
            failed += try await call(chunk).compactMap { Int($0.id).map { chunk[$0] } }
            start += 10
        }
        return failed
    }

    public func changeVisibility(_ receiptHandle: String, seconds: Int) async throws {
        try await sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: receiptHandle, visibilityTimeout: seconds)
    }
}

/// `events-dlq`: body byte-identical, reason in the `pismo-error` String attribute.
public struct SQSInvalidEventPublisher: InvalidEventPublisher {
    let sqs: SQSClient
    let queueURL: String

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func publish(body: [UInt8], reason: String) async throws {
        _ = try await sqs.sendMessage(queueURL: queueURL, body: String(decoding: body, as: UTF8.self),
                                      attributes: ["pismo-error": .string(reason)])
    }
}

/// `deliver-dlq` with the operator-contract attributes.
public struct SQSDeadLetterPublisher: DeadLetterPublisher {
    let sqs: SQSClient
    let queueURL: String

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func publish(payload: [UInt8], letter: DeadLetter) async throws {
        var attributes: [String: SQSMessageAttribute] = [
            "pismo-error": .string(letter.reason),
            "pismo-client-id": .string(letter.clientID),
            "pismo-event-id": .string(letter.eventID),
            "pismo-attempts": .number(String(letter.attempts)),
        ]
        // Only when a status was actually received: absent for no route, hangs and resets.
        if let status = letter.lastStatus { attributes["pismo-last-status"] = .number(String(status)) }
        _ = try await sqs.sendMessage(queueURL: queueURL, body: String(decoding: payload, as: UTF8.self), attributes: attributes)
    }
}
