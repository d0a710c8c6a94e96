import PismoJSON

/// Sending, receiving and the batch calls.
extension SQSClient {
    public func sendMessage(queueURL: String, body: String, attributes: [String: SQSMessageAttribute] = [:],
                            delaySeconds: Int? = nil) async throws -> SQSSendResult {
        let r = try await transport.call(Self.sendMessage) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("MessageBody"); w.string(body)
            if let delaySeconds { w.key("DelaySeconds"); w.int(delaySeconds) }
            if !attributes.isEmpty { SQSCoding.writeAttributes(attributes, into: &w) }
        }
        let id = try require(r["MessageId"]?.string, "MessageId", Self.sendMessage)
        try SQSCoding.verify(body: body, md5: r["MD5OfMessageBody"]?.string, attributes: attributes,
                             attributesMD5: r["MD5OfMessageAttributes"]?.string, messageID: id, operation: "SendMessage")
        return SQSSendResult(id: "", messageID: id, sequenceNumber: r["SequenceNumber"]?.string)
    }

    /// Up to 10 entries. Failed entries (HTTP 200 notwithstanding) are in `failed`; a successful entry
    /// whose MD5s do not match the content we sent is moved to `failed` with code `Pismo.MD5Mismatch`.
    public func sendMessageBatch(queueURL: String, entries: [SQSSendEntry]) async throws -> SQSBatchResult<SQSSendResult> {
        let r = try await transport.call(Self.sendMessageBatch) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("Entries"); w.beginArray()
            for e in entries {
                w.beginObject()
                w.key("Id"); w.string(e.id)
                w.key("MessageBody"); w.string(e.body)
                if let d = e.delaySeconds { w.key("DelaySeconds"); w.int(d) }
                if !e.attributes.isEmpty { SQSCoding.writeAttributes(e.attributes, into: &w) }
                w.endObject()
            }
            w.endArray()
        }
        let byID = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var result = SQSBatchResult<SQSSendResult>(successful: [], failed: SQSCoding.readFailures(r["Failed"]))
        for s in r["Successful"].items {
            let id = s["Id"]?.string ?? ""
            let sent = SQSSendResult(id: id, messageID: s["MessageId"]?.string ?? "", sequenceNumber: s["SequenceNumber"]?.string)
            do {
                if let entry = byID[id] {
                    try SQSCoding.verify(body: entry.body, md5: s["MD5OfMessageBody"]?.string, attributes: entry.attributes,
                                         attributesMD5: s["MD5OfMessageAttributes"]?.string, messageID: sent.messageID,
                                         operation: "SendMessageBatch")
                }
                result.successful.append(sent)
            } catch let e as AWSError {
                result.failed.append(SQSBatchFailure(id: id, senderFault: false, code: e.code, message: e.message))
            }
        }
        return result
    }

    /// Long poll: waits up to `waitSeconds` (≤ 20) for up to `maxMessages` (1–10). The HTTP timeout is
    /// set above the wait so a quiet queue is not mistaken for a dead connection.
    public func receiveMessage(queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 20,
                               visibilityTimeout: Int? = nil,
                               systemAttributes: [String] = ["ApproximateReceiveCount", "SentTimestamp"],
                               messageAttributeNames: [String] = ["All"]) async throws -> [SQSMessage] {
        let timeout = Duration.seconds(waitSeconds) + max(transport.context.timeout, .seconds(5))
        let r = try await transport.call(Self.receiveMessage, timeout: timeout) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("MaxNumberOfMessages"); w.int(maxMessages)
            w.key("WaitTimeSeconds"); w.int(waitSeconds)
            if let visibilityTimeout { w.key("VisibilityTimeout"); w.int(visibilityTimeout) }
            // Both spellings: older endpoints (and emulators) know only the deprecated AttributeNames.
            w.key("MessageSystemAttributeNames"); Self.writeStrings(systemAttributes, &w)
            w.key("AttributeNames"); Self.writeStrings(systemAttributes, &w)
            w.key("MessageAttributeNames"); Self.writeStrings(messageAttributeNames, &w)
        }
        return try SQSCoding.readMessages(in: r)
    }

    /// Decodes a ReceiveMessage response body, checking every message's MD5s.
    public static func decodeReceiveMessage(_ body: [UInt8]) throws -> [SQSMessage] {
        let doc: JSONDocument
        do { doc = try JSONDocument(bytes: body) } catch {
            throw AWSError(service: "sqs", operation: "ReceiveMessage", status: 200, code: AWSError.invalidResponse,
                           message: "response is not JSON: \(error)")
        }
        return try SQSCoding.readMessages(in: doc.root)
    }

    /// Up to 10 (id, receipt handle) pairs; returns per-entry outcome.
    public func deleteMessageBatch(queueURL: String, entries: [(id: String, receiptHandle: String)]) async throws
        -> SQSBatchResult<String> {
        try await receiptBatch(Self.deleteMessageBatch, queueURL: queueURL,
                               entries: entries.map { ($0.id, $0.receiptHandle, nil) })
    }

    public func changeMessageVisibilityBatch(queueURL: String, entries: [SQSVisibilityEntry]) async throws -> SQSBatchResult<String> {
        try await receiptBatch(Self.changeMessageVisibilityBatch, queueURL: queueURL,
                               entries: entries.map { ($0.id, $0.receiptHandle, $0.visibilityTimeout) })
    }

    /// The two receipt-handle batch calls share one shape: entries of Id + ReceiptHandle (+ an
    /// optional VisibilityTimeout), answered with Successful ids and per-entry failures.
    private func receiptBatch(_ operation: AWSOperation, queueURL: String,
                              entries: [(id: String, receiptHandle: String, visibilityTimeout: Int?)]) async throws
        -> SQSBatchResult<String> {
        let r = try await transport.call(operation) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("Entries"); w.beginArray()
            for e in entries {
                w.beginObject()
                w.key("Id"); w.string(e.id)
                w.key("ReceiptHandle"); w.string(e.receiptHandle)
                if let timeout = e.visibilityTimeout { w.key("VisibilityTimeout"); w.int(timeout) }
                w.endObject()
            }
            w.endArray()
        }
        return SQSBatchResult(successful: r["Successful"].items.compactMap { $0["Id"]?.string },
                              failed: SQSCoding.readFailures(r["Failed"]))
    }
}
