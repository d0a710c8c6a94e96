import PismoJSON
import Transport

/// SQS over the query protocol, for SDKs that predate the JSON protocol: SendMessage(Batch),
/// ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility, GetQueueUrl, CreateQueue,
/// GetQueueAttributes. The queue comes from QueueUrl or, as those SDKs also do, the request path.
extension FakeAWS {
    func sqsQuery(_ action: String, _ p: [String: String], request: HTTPServerRequest, requestID: String) async -> HTTPResponse {
        var p = p
        if p["QueueUrl"] == nil, request.path.split(separator: "/").count == 2 { p["QueueUrl"] = String(request.path) }
        let host = request.headers["Host"] ?? "127.0.0.1"
        do {
            let result: String
            switch action {
            case "ReceiveMessage": result = try await receiveQuery(p)
            case "SendMessage", "SendMessageBatch":
                let (xml, woken) = try state.withLock { s throws(FakeError) in try Self.sendQuery(&s, action, p) }
                for c in woken { c.resume() }
                result = xml
            default:
                result = try state.withLock { s throws(FakeError) in try Self.controlQuery(&s, action, p, host: host) }
            }
            return SQSQueryWire.success(action, result: result, requestID: requestID)
        } catch {
            return SQSQueryWire.error(error, requestID: requestID)
        }
    }

    private static func sendQuery(_ s: inout State, _ action: String, _ p: [String: String]) throws(FakeError) -> (String, [CheckedContinuation<Void, Never>]) {
        let q = try s.sqs.queue(p["QueueUrl"])
        let now = ISOTime.monotonicMillis(), wall = ISOTime.nowMillis()
        func send(_ e: [String: String]) throws(FakeError) -> FakeSQS.Sent {
            let body = e["MessageBody"] ?? ""
            var w = JSONWriter(capacity: body.utf8.count + 8)
            w.string(body)
            return try s.sqs.send(q, body: body, bodyJSON: w.bytes, attributes: SQSQueryWire.messageAttributes(e),
                                  delaySeconds: e["DelaySeconds"].flatMap { Int($0) }, now: now, wallMillis: wall)
        }
        func sentXML(_ sent: FakeSQS.Sent) -> String {
            SQSQueryWire.element("MessageId", sent.messageID) + SQSQueryWire.element("MD5OfMessageBody", sent.md5OfBody)
                + (sent.md5OfAttributes.map { SQSQueryWire.element("MD5OfMessageAttributes", $0) } ?? "")
        }
        if action == "SendMessage" {
            let sent = try send(p)
            return (sentXML(sent), s.waiters.take(queue: q.name, count: 1))
        }
        let entries = SQSQueryWire.entries(p, "SendMessageBatchRequestEntry")
        try checkBatch(entries.compactMap { $0["Id"] }, count: entries.count)
        var xml = "", added = 0
        for e in entries {
            let id = e["Id"] ?? ""
            do {
                let sent = try send(e)
                xml += "<SendMessageBatchResultEntry>" + SQSQueryWire.element("Id", id) + sentXML(sent) + "</SendMessageBatchResultEntry>"
                added += 1
            } catch { xml += errorEntry(id, error) }
        }
        return (xml, s.waiters.take(queue: q.name, count: added))
    }

    private static func errorEntry(_ id: String, _ e: FakeError) -> String {
        "<BatchResultErrorEntry>" + SQSQueryWire.element("Id", id) + SQSQueryWire.element("Code", e.queryCode ?? e.code)
            + SQSQueryWire.element("Message", e.message) + "<SenderFault>\(e.senderFault)</SenderFault></BatchResultErrorEntry>"
    }

    private func receiveQuery(_ p: [String: String]) async throws(FakeError) -> String {
        let received = try await longPoll(p["QueueUrl"], max: p["MaxNumberOfMessages"].flatMap { Int($0) } ?? 1,
                                          wait: p["WaitTimeSeconds"].flatMap { Int($0) }, visibility: p["VisibilityTimeout"].flatMap { Int($0) })
        let system = Set(SQSQueryWire.list(p, "AttributeName") + SQSQueryWire.list(p, "MessageSystemAttributeName"))
        let names = Set(SQSQueryWire.list(p, "MessageAttributeName"))
        var xml = ""
        for (handle, m) in received {
            xml += "<Message>" + SQSQueryWire.element("MessageId", m.id) + SQSQueryWire.element("ReceiptHandle", handle)
                + SQSQueryWire.element("MD5OfBody", m.md5OfBody) + SQSQueryWire.element("Body", m.body)
            for (k, v) in Self.systemAttributes(m, wanted: system) {
                xml += "<Attribute>" + SQSQueryWire.element("Name", k) + SQSQueryWire.element("Value", v) + "</Attribute>"
            }
            let selected = Self.selectedAttributes(m, wanted: names)
            if !selected.isEmpty {
                xml += SQSQueryWire.element("MD5OfMessageAttributes", MessageDigest.attributes(selected) ?? "")
                for a in selected {
                    xml += "<MessageAttribute>" + SQSQueryWire.element("Name", a.name) + "<Value>" + SQSQueryWire.element("DataType", a.dataType)
                        + (a.binaryBase64.map { SQSQueryWire.element("BinaryValue", $0) } ?? SQSQueryWire.element("StringValue", a.stringValue ?? ""))
                        + "</Value></MessageAttribute>"
                }
            }
            xml += "</Message>"
        }
        return xml
    }

    private static func controlQuery(_ s: inout State, _ action: String, _ p: [String: String], host: String) throws(FakeError) -> String {
        let sqs = s.sqs
        let now = ISOTime.monotonicMillis()
        switch action {
        case "GetQueueUrl":
            return SQSQueryWire.element("QueueUrl", sqs.url(try sqs.queue(p["QueueName"]).name, host: host))
        case "CreateQueue":
            var attributes: [String: String] = [:]
            for e in SQSQueryWire.entries(p, "Attribute") { if let n = e["Name"], let v = e["Value"] { attributes[n] = v } }
            let q = try sqs.createQueue(name: p["QueueName"] ?? "", attributes: attributes, nowMillis: ISOTime.nowMillis())
            return SQSQueryWire.element("QueueUrl", sqs.url(q.name, host: host))
        case "GetQueueAttributes":
            let q = try sqs.queue(p["QueueUrl"])
            return sqs.attributes(q, names: SQSQueryWire.list(p, "AttributeName"), now: now).map {
                "<Attribute>" + SQSQueryWire.element("Name", $0.0) + SQSQueryWire.element("Value", $0.1) + "</Attribute>"
            }.joined()
        case "DeleteMessage":
            try sqs.delete(try sqs.queue(p["QueueUrl"]), handle: p["ReceiptHandle"] ?? "")
            return ""
        case "ChangeMessageVisibility":
            try sqs.changeVisibility(try sqs.queue(p["QueueUrl"]), handle: p["ReceiptHandle"] ?? "",
                                     seconds: p["VisibilityTimeout"].flatMap { Int($0) } ?? 0, now: now)
            return ""
        case "DeleteMessageBatch":
            let q = try sqs.queue(p["QueueUrl"])
            let entries = SQSQueryWire.entries(p, "DeleteMessageBatchRequestEntry")
            try checkBatch(entries.compactMap { $0["Id"] }, count: entries.count)
            var xml = ""
            for e in entries {
                let id = e["Id"] ?? ""
                do {
                    try sqs.delete(q, handle: e["ReceiptHandle"] ?? "")
                    xml += "<DeleteMessageBatchResultEntry>" + SQSQueryWire.element("Id", id) + "</DeleteMessageBatchResultEntry>"
                } catch { xml += errorEntry(id, error) }
            }
            return xml
        default:
            throw FakeError(code: "InvalidAction", message: "fakeaws does not implement the query action \(action)", queryCode: "InvalidAction")
        }
    }
}
