import PismoJSON
import Transport

/// Turns a non-2xx AWS JSON response into an `AWSError`.
enum AWSErrorParser {
    static func parse(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        var code: String?
        var message = ""
        if response.body.first == UInt8(ascii: "<") {
            // Some front ends (and emulators) answer auth failures with a query-protocol XML body.
            let xml = String(decoding: response.body, as: UTF8.self)
            code = XMLText.first("Code", in: xml)
            message = XMLText.first("Message", in: xml) ?? ""
        } else if !response.body.isEmpty, let doc = try? JSONDocument(bytes: response.body) {
            code = doc.root["__type"]?.string ?? doc.root["code"]?.string
            message = doc.root["message"]?.string ?? doc.root["Message"]?.string ?? ""
        }
        if code == nil, let header = response.headers["x-amzn-ErrorType"] { code = header }
        var error = AWSError(service: service, operation: operation, status: response.status,
                             code: code.map(AWSError.shortCode) ?? "HTTP\(response.status)", message: message,
                             requestID: response.headers["x-amzn-RequestId"])
        // SQS (awsQueryCompatible): "AWS.SimpleQueueService.NonExistentQueue;Sender".
        if let compat = response.headers["x-amzn-query-error"] {
            let parts = compat.split(separator: ";", maxSplits: 1)
            error.queryCompatibleCode = parts.first.map(String.init)
            error.queryCompatibleFault = parts.count > 1 ? String(parts[1]) : nil
        }
        return error
    }
}
