import PismoJSON

/// Amazon SQS over AWS JSON 1.0 (`AmazonSQS.*`, query-compatible errors). Thread-safe value;
/// calls run concurrently. Message bodies and attributes are MD5-checked on send and receive.
public struct SQSClient: Sendable {
    public let transport: AWSJSONClient

    public init(context: AWSClientContext, endpoint: String? = nil) {
        transport = AWSJSONClient(service: .sqs, context: context, endpoint: endpoint)
    }

    // Retry safety per operation (see AWSOperation.RetrySafety).
    static let createQueue = AWSOperation("CreateQueue", .idempotent)      // same name+attributes → same URL
    static let getQueueUrl = AWSOperation("GetQueueUrl", .idempotent)
    static let getQueueAttributes = AWSOperation("GetQueueAttributes", .idempotent)
    static let setQueueAttributes = AWSOperation("SetQueueAttributes", .idempotent)
    static let listQueues = AWSOperation("ListQueues", .idempotent)
    static let purgeQueue = AWSOperation("PurgeQueue", .idempotent)        // a repeat only reports PurgeQueueInProgress
    static let sendMessage = AWSOperation("SendMessage", .atLeastOnce)     // may duplicate; consumers dedup
    static let sendMessageBatch = AWSOperation("SendMessageBatch", .atLeastOnce)
    // A lost response hides the received messages until their visibility timeout; then they return.
    static let receiveMessage = AWSOperation("ReceiveMessage", .atLeastOnce, isLongPoll: true)
    static let deleteMessage = AWSOperation("DeleteMessage", .idempotent)
    static let deleteMessageBatch = AWSOperation("DeleteMessageBatch", .idempotent)
    static let changeMessageVisibility = AWSOperation("ChangeMessageVisibility", .idempotent)
    static let changeMessageVisibilityBatch = AWSOperation("ChangeMessageVisibilityBatch", .idempotent)

    /// Returns the queue URL (existing queue with identical attributes is fine).
    public func createQueue(name: String, attributes: [String: String] = [:]) async throws -> String {
        let r = try await transport.call(Self.createQueue) { w in
            w.key("QueueName"); w.string(name)
            if !attributes.isEmpty { Self.writeStringMap("Attributes", attributes, &w) }
        }
        return try require(r["QueueUrl"]?.string, "QueueUrl", Self.createQueue)
    }

    public func getQueueUrl(name: String) async throws -> String {
        let r = try await transport.call(Self.getQueueUrl) { w in w.key("QueueName"); w.string(name) }
        return try require(r["QueueUrl"]?.string, "QueueUrl", Self.getQueueUrl)
    }

    public func getQueueAttributes(queueURL: String, names: [String] = ["All"]) async throws -> [String: String] {
        let r = try await transport.call(Self.getQueueAttributes) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("AttributeNames"); Self.writeStrings(names, &w)
        }
        return SQSCoding.readStringMap(r["Attributes"])
    }

    public func setQueueAttributes(queueURL: String, attributes: [String: String]) async throws {
        _ = try await transport.call(Self.setQueueAttributes) { w in
            w.key("QueueUrl"); w.string(queueURL)
            Self.writeStringMap("Attributes", attributes, &w)
        }
    }

    /// One page of queue URLs; pass the returned token back for the next page.
    public func listQueues(prefix: String? = nil, maxResults: Int? = nil, nextToken: String? = nil) async throws
        -> (queueURLs: [String], nextToken: String?) {
        let r = try await transport.call(Self.listQueues) { w in
            if let prefix { w.key("QueueNamePrefix"); w.string(prefix) }
            if let maxResults { w.key("MaxResults"); w.int(maxResults) }
            if let nextToken { w.key("NextToken"); w.string(nextToken) }
        }
        return (r["QueueUrls"].items.compactMap(\.string), r["NextToken"]?.string)
    }

    public func purgeQueue(queueURL: String) async throws {
        _ = try await transport.call(Self.purgeQueue) { w in w.key("QueueUrl"); w.string(queueURL) }
    }

    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        _ = try await transport.call(Self.deleteMessage) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("ReceiptHandle"); w.string(receiptHandle)
        }
    }

    /// Visibility timeout in seconds, 0 (visible now) to 43,200 (12 h).
    public func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout: Int) async throws {
        _ = try await transport.call(Self.changeMessageVisibility) { w in
            w.key("QueueUrl"); w.string(queueURL)
            w.key("ReceiptHandle"); w.string(receiptHandle)
            w.key("VisibilityTimeout"); w.int(visibilityTimeout)
        }
    }

    static func writeStrings(_ values: [String], _ w: inout JSONWriter) {
        w.beginArray()
        for v in values { w.string(v) }
        w.endArray()
    }

    static func writeStringMap(_ key: String, _ map: [String: String], _ w: inout JSONWriter) {
        w.key(key)
        w.beginObject()
        for (k, v) in map.sorted(by: { $0.key < $1.key }) { w.key(k); w.string(v) }
        w.endObject()
    }

    func require<T>(_ value: T?, _ field: String, _ op: AWSOperation) throws -> T {
        guard let value else {
            throw AWSError(service: "sqs", operation: op.name, status: 200, code: AWSError.invalidResponse,
                           message: "response has no \(field)")
        }
        return value
    }
}
