import Transport

/// Which service and operation a request is for: `X-Amz-Target` for the JSON protocols, the form's
/// `Action` for SQS's query protocol (POST form body, or GET query string).
enum Route {
    case json(Service, String)
    case query(Service, String, [String: String])
    case unknown(String)
}

enum Router {
    static func route(_ request: HTTPServerRequest) -> Route {
        if let target = request.headers["X-Amz-Target"] {
            guard let dot = target.lastIndex(of: ".") else { return .unknown("malformed X-Amz-Target") }
            let operation = String(target[target.index(after: dot)...])
            switch target[..<dot] {
            case "AmazonSQS": return .json(.sqs, operation)
            case "DynamoDB_20120810": return .json(.dynamodb, operation)
            case "DynamoDBStreams_20120810": return .json(.streams, operation)
            default: return .unknown("unknown target prefix \(target[..<dot])")
            }
        }
        var form: [String: String] = [:]
        if let q = request.query { FormEncoding.decode(q, into: &form) }
        if request.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true {
            FormEncoding.decode(Substring(decoding: request.body, as: UTF8.self), into: &form)
        }
        if let action = form["Action"] { return .query(.sqs, action, form) }
        return .unknown("no X-Amz-Target header and no Action parameter")
    }
}

enum FormEncoding {
    static func decode(_ text: Substring, into out: inout [String: String]) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[unescape(parts[0])] = parts.count > 1 ? unescape(parts[1]) : ""
        }
    }

    static func unescape(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") { bytes.append(32) } else if c == UInt8(ascii: "%"), it.count >= 2,
                let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else { bytes.append(c) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// HTTP/1.1 bytes of a request and a response as they crossed the wire (heads rebuilt from the
/// parsed fields; the server adds Date, Content-Length and, on keep-alive, nothing else).
enum WireSize {
    static func request(_ r: HTTPServerRequest) -> Int {
        var n = r.method.utf8.count + 1 + r.target.utf8.count + 11  // "POST / HTTP/1.1\r\n"
        for h in r.headers { n += h.name.utf8.count + 2 + h.value.utf8.count + 2 }
        return n + 2 + r.body.count
    }

    static func response(_ r: HTTPResponse) -> Int {
        var n = 17  // "HTTP/1.1 200 OK\r\n"
        for h in r.headers { n += h.name.utf8.count + 2 + h.value.utf8.count + 2 }
        n += 37 + 16 + String(r.body.count).utf8.count + 2  // Date, Content-Length, blank line
        return n + r.body.count
    }
}
