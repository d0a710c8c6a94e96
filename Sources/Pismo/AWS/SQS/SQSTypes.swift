/// A message attribute: `String`, `Number` (decimal text) or `Binary`, possibly with a custom
/// suffix (`Number.java.lang.Long`) which is part of the MD5.
public struct SQSMessageAttribute: Sendable, Equatable {
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: [UInt8]?

    public static func string(_ value: String) -> SQSMessageAttribute { .init(dataType: "String", stringValue: value) }
    public static func number(_ text: String) -> SQSMessageAttribute { .init(dataType: "Number", stringValue: text) }
    public static func binary(_ bytes: [UInt8]) -> SQSMessageAttribute { .init(dataType: "Binary", binaryValue: bytes) }

    public init(dataType: String, stringValue: String? = nil, binaryValue: [UInt8]? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    var isBinary: Bool { dataType.hasPrefix("Binary") }
}

/// One received message. `receiveCount` is `ApproximateReceiveCount` (1 on first delivery);
/// `receiptHandle` changes on every receive: delete with the latest.
public struct SQSMessage: Sendable, Equatable {
    public var messageID: String
    public var receiptHandle: String
    public var body: String
    public var md5OfBody: String
    public var attributes: [String: String]
    public var messageAttributes: [String: SQSMessageAttribute]
    public var receiveCount: Int { attributes["ApproximateReceiveCount"].flatMap(Int.init) ?? 1 }
    /// `SentTimestamp`, epoch milliseconds.
    public var sentTimestampMillis: Int64? { attributes["SentTimestamp"].flatMap(Int64.init) }
}

public struct SQSSendEntry: Sendable, Equatable {
    public var id: String
    public var body: String
    public var attributes: [String: SQSMessageAttribute]
    public var delaySeconds: Int?

    public init(id: String, body: String, attributes: [String: SQSMessageAttribute] = [:], delaySeconds: Int? = nil) {
        self.id = id
        self.body = body
        self.attributes = attributes
        self.delaySeconds = delaySeconds
    }
}

public struct SQSSendResult: Sendable, Equatable {
    public var id: String
    public var messageID: String
    public var sequenceNumber: String?
}

/// Per-entry failure in a batch answered with HTTP 200.
public struct SQSBatchFailure: Sendable, Equatable, Error {
    public var id: String
    public var senderFault: Bool
    public var code: String
    public var message: String
}

/// Batch outcome: callers must look at `failed` even though the call itself succeeded.
public struct SQSBatchResult<Success: Sendable & Equatable>: Sendable, Equatable {
    public var successful: [Success]
    public var failed: [SQSBatchFailure]
}

public struct SQSVisibilityEntry: Sendable, Equatable {
    public var id: String
    public var receiptHandle: String
    public var visibilityTimeout: Int

    public init(id: String, receiptHandle: String, visibilityTimeout: Int) {
        self.id = id
        self.receiptHandle = receiptHandle
        self.visibilityTimeout = visibilityTimeout
    }
}
