/// The one error type every AWS call throws. Service errors carry the short code from `__type`
/// (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → `ConditionalCheckFailedException`);
/// client-side failures use the `Pismo.*` codes below, with `status == nil` when no response arrived.
public struct AWSError: Error, Sendable, CustomStringConvertible, Equatable {
    public var service: String
    public var operation: String
    /// HTTP status; nil for failures before a response (connection, timeout, credentials).
    public var status: Int?
    public var code: String
    public var message: String
    public var requestID: String?
    /// SQS legacy code from `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue`), and its fault.
    public var queryCompatibleCode: String?
    public var queryCompatibleFault: String?

    public init(service: String, operation: String, status: Int?, code: String, message: String,
                requestID: String? = nil, queryCompatibleCode: String? = nil, queryCompatibleFault: String? = nil) {
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.queryCompatibleCode = queryCompatibleCode
        self.queryCompatibleFault = queryCompatibleFault
    }

    /// Client-side codes.
    public static let connectionError = "Pismo.ConnectionError"
    public static let timeout = "Pismo.Timeout"
    public static let crc32Mismatch = "Pismo.CRC32Mismatch"
    public static let md5Mismatch = "Pismo.MD5Mismatch"
    public static let invalidResponse = "Pismo.InvalidResponse"
    public static let credentialsUnavailable = "Pismo.CredentialsUnavailable"

    public var description: String {
        var s = "\(service).\(operation) failed: \(code)"
        if let status { s += " (HTTP \(status))" }
        if !message.isEmpty { s += ": \(message)" }
        if let q = queryCompatibleCode { s += " [\(q)\(queryCompatibleFault.map { ";" + $0 } ?? "")]" }
        if let requestID { s += " request-id=\(requestID)" }
        return s
    }

    /// Short code from a raw `__type`: drop anything after `:`, keep what follows the last `#`.
    public static func shortCode(_ rawType: String) -> String {
        var code = Substring(rawType)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code)
    }
}

extension AWSError {
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"]
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure", "RequestInTheFuture",
    ]

    public var isThrottling: Bool { Self.throttlingCodes.contains(code) }

    /// Worth another attempt under the standard retry mode: throttles, transient codes, 500/502/503/504,
    /// no response at all, and a DynamoDB body whose CRC32 did not match (a corrupted response).
    public var isRetryable: Bool {
        if isThrottling || Self.transientCodes.contains(code) { return true }
        if code == Self.connectionError || code == Self.timeout || code == Self.crc32Mismatch { return true }
        if let status, [500, 502, 503, 504].contains(status) { return true }
        return false
    }

    /// Requests AWS refuses for what they carry, so the same request fails every time: validation,
    /// keys or items over DynamoDB's limits, messages over SQS's, attribute values SQS does not
    /// accept. Retrying them loops forever; the caller must dead-letter (or shorten) instead.
    /// Configuration errors (a missing queue or table, access denied) are not here: they fail until
    /// an operator fixes them, and must be retried visibly, not turned into dead letters.
    static let permanentCodes: Set<String> = [
        "ValidationException", "SerializationException", "ItemCollectionSizeLimitExceededException",
        "InvalidParameterValue", "InvalidParameterCombination", "InvalidAttributeValue", "InvalidAttributeName",
        "InvalidMessageContents", "MessageTooLong", "BatchRequestTooLong", "InvalidBatchEntryId",
    ]

    /// The request can never succeed as it is (see `permanentCodes`); never true of a retryable error.
    public var isPermanent: Bool {
        guard !isRetryable else { return false }
        if Self.permanentCodes.contains(code) { return true }
        // SQS over JSON answers some with the legacy query code only: "AWS.SimpleQueueService.MessageTooLong".
        if let legacy = queryCompatibleCode?.split(separator: ".").last { return Self.permanentCodes.contains(String(legacy)) }
        return false
    }

    public var isTimeout: Bool { code == Self.timeout }
    var mayBeClockSkew: Bool { Self.clockSkewCodes.contains(code) }
}
