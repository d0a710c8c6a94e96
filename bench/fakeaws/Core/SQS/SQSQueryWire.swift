import Transport

/// SQS's query protocol: form parameters in, XML out (the 2012-11-05 API as older SDKs speak it).
enum SQSQueryWire {
    static let namespace = "http://queue.amazonaws.com/doc/2012-11-05/"

    static func success(_ action: String, result: String, requestID: String) -> HTTPResponse {
        let resultElement = result.isEmpty ? "" : "<\(action)Result>\(result)</\(action)Result>"
        let xml = "<?xml version=\"1.0\"?><\(action)Response xmlns=\"\(namespace)\">\(resultElement)<ResponseMetadata><RequestId>\(requestID)</RequestId></ResponseMetadata></\(action)Response>"
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/xml"), ("x-amzn-RequestId", requestID)]), body: Array(xml.utf8))
    }

    static func error(_ e: FakeError, requestID: String) -> HTTPResponse {
        let xml = "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"\(namespace)\"><Error><Type>\(e.senderFault ? "Sender" : "Receiver")</Type><Code>\(escape(e.queryCode ?? e.code))</Code><Message>\(escape(e.message))</Message><Detail/></Error><RequestId>\(requestID)</RequestId></ErrorResponse>"
        return HTTPResponse(status: e.status, headers: HTTPHeaders([("Content-Type", "text/xml"), ("x-amzn-RequestId", requestID)]), body: Array(xml.utf8))
    }

    static func element(_ name: String, _ value: String) -> String { "<\(name)>\(escape(value))</\(name)>" }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `Prefix.1.Field`, `Prefix.2.Field`, ... until a number is missing.
    static func entries(_ p: [String: String], _ prefix: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var n = 1
        while true {
            let head = "\(prefix).\(n)."
            let fields = p.filter { $0.key.hasPrefix(head) }
            if fields.isEmpty && p["\(prefix).\(n)"] == nil { break }
            var entry: [String: String] = [:]
            for (k, v) in fields { entry[String(k.dropFirst(head.count))] = v }
            if let bare = p["\(prefix).\(n)"] { entry[""] = bare }
            out.append(entry)
            n += 1
        }
        return out
    }

    static func messageAttributes(_ p: [String: String]) -> [MessageAttribute] {
        entries(p, "MessageAttribute").compactMap { e in
            guard let name = e["Name"], let type = e["Value.DataType"] else { return nil }
            return MessageAttribute(name: name, dataType: type, stringValue: e["Value.StringValue"], binaryBase64: e["Value.BinaryValue"])
        }
    }

    static func list(_ p: [String: String], _ prefix: String) -> [String] { entries(p, prefix).compactMap { $0[""] } }
}
