import CSystemShims
import PismoJSON
import Transport

/// The three JSON services' framing: content type, request id, DynamoDB's x-amz-crc32, and each
/// service's error shape.
public enum Service: String, Sendable {
    case sqs, dynamodb, streams

    /// The `__type` namespace AWS puts before `#`.
    var errorNamespace: String {
        switch self {
        case .sqs: "com.amazonaws.sqs#"
        case .dynamodb, .streams: "com.amazonaws.dynamodb.v20120810#"
        }
    }

    var statsPrefix: String {
        switch self {
        case .sqs: "sqs."
        case .dynamodb: "dynamodb."
        case .streams: "dynamodbstreams."
        }
    }

    /// The error a throttled request gets from this service.
    var throttle: FakeError {
        switch self {
        case .sqs: FakeError(code: "RequestThrottled", message: "Request is throttled.", queryCode: "RequestThrottled")
        case .dynamodb: FakeError(code: "ProvisionedThroughputExceededException",
                                  message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
        case .streams: FakeError(code: "LimitExceededException", message: "Rate exceeded for shard")
        }
    }

    var internalError: FakeError {
        switch self {
        case .sqs: FakeError(status: 500, code: "InternalFailure", message: "We encountered an internal error. Please try again.", queryCode: "InternalError", senderFault: false)
        case .dynamodb, .streams: FakeError(status: 500, code: "InternalServerError", message: "Internal server error", senderFault: false)
        }
    }
}

enum ServiceWire {
    static func success(_ service: Service, _ body: [UInt8], requestID: String) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", requestID)])
        if service != .sqs { headers.add("x-amz-crc32", String(crc32(body))) }
        return HTTPResponse(status: 200, headers: headers, body: body)
    }

    static func error(_ service: Service, _ e: FakeError, requestID: String) -> HTTPResponse {
        var w = JSONWriter(capacity: 128 + e.message.utf8.count)
        w.beginObject()
        w.key("__type"); w.string(service.errorNamespace + e.code)
        w.key("message"); w.string(e.message)
        w.endObject()
        var headers = HTTPHeaders([("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", requestID)])
        if service == .sqs { headers.add("x-amzn-query-error", "\(e.queryCode ?? e.code);\(e.senderFault ? "Sender" : "Receiver")") }
        if service != .sqs { headers.add("x-amz-crc32", String(crc32(w.bytes))) }
        return HTTPResponse(status: e.status, headers: headers, body: w.bytes)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CSystemShims.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
