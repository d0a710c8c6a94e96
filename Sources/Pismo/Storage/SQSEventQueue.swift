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
