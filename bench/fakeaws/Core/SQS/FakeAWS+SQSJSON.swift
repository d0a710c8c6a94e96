import PismoJSON
import Transport

/// SQS over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.*`).
extension FakeAWS {
    func sqsJSON(_ operation: String, _ root: JSONNode, request: HTTPServerRequest) async throws(FakeError) -> [UInt8] {
        let host = request.headers["Host"] ?? "127.0.0.1"
        switch operation {
        case "ReceiveMessage": return try await receiveJSON(root)
        case "SendMessage", "SendMessageBatch":
            let (body, woken) = try state.withLock { s throws(FakeError) in try Self.sendJSON(&s, operation, root) }
            for c in woken { c.resume() }
            return body
        case "ChangeMessageVisibility", "ChangeMessageVisibilityBatch":
            // A message made visible at once must wake a long poll, as a send does.
            let (body, woken) = try state.withLock { s throws(FakeError) in
                let body = try Self.sqsControlJSON(&s, operation, root, host: host)
                let name = try s.sqs.queue(root["QueueUrl"]?.string).name
                return (body, s.waiters.take(queue: name, count: 10))
            }
            for c in woken { c.resume() }
            return body
        default:
            return try state.withLock { s throws(FakeError) in try Self.sqsControlJSON(&s, operation, root, host: host) }
        }
    }

    private static func sendJSON(_ s: inout State, _ operation: String, _ root: JSONNode) throws(FakeError) -> ([UInt8], [CheckedContinuation<Void, Never>]) {
        let queue = try s.sqs.queue(root["QueueUrl"]?.string)
        let now = ISOTime.monotonicMillis(), wall = ISOTime.nowMillis()
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        var added = 0
        if operation == "SendMessage" {
            let sent = try s.sqs.send(queue, body: root["MessageBody"]?.string ?? "", bodyJSON: Array(root["MessageBody"]?.rawBytes ?? []),
                                      attributes: try attributes(root["MessageAttributes"]), delaySeconds: root["DelaySeconds"]?.int, now: now, wallMillis: wall)
            writeSent(sent, into: &w)
            added = 1
        } else {
            let entries = Array(root["Entries"]?.elements ?? JSONNode.emptyElements)
            try checkBatch(entries.compactMap { $0["Id"]?.string }, count: entries.count)
            var failed: [(String, FakeError)] = []
            w.key("Successful"); w.beginArray()
            for e in entries {
                let id = e["Id"]?.string ?? ""
                do {
                    let sent = try s.sqs.send(queue, body: e["MessageBody"]?.string ?? "", bodyJSON: Array(e["MessageBody"]?.rawBytes ?? []),
                                              attributes: try attributes(e["MessageAttributes"]), delaySeconds: e["DelaySeconds"]?.int, now: now, wallMillis: wall)
                    w.beginObject(); w.key("Id"); w.string(id); writeSent(sent, into: &w); w.endObject()
                    added += 1
                } catch { failed.append((id, error)) }
            }
            w.endArray()
            writeFailures(failed, into: &w)
        }
        w.endObject()
        return (w.bytes, s.waiters.take(queue: queue.name, count: added))
    }

    private static func writeSent(_ sent: FakeSQS.Sent, into w: inout JSONWriter) {
        w.key("MessageId"); w.string(sent.messageID)
        w.key("MD5OfMessageBody"); w.string(sent.md5OfBody)
        if let a = sent.md5OfAttributes { w.key("MD5OfMessageAttributes"); w.string(a) }
    }

    static func writeFailures(_ failed: [(String, FakeError)], into w: inout JSONWriter) {
        w.key("Failed"); w.beginArray()
        for (id, e) in failed {
            w.beginObject()
            w.key("Id"); w.string(id); w.key("SenderFault"); w.bool(e.senderFault); w.key("Code"); w.string(e.code); w.key("Message"); w.string(e.message)
            w.endObject()
        }
        w.endArray()
    }

    static func checkBatch(_ ids: [String], count: Int) throws(FakeError) {
        if count == 0 { throw FakeError(code: "EmptyBatchRequest", message: "There should be at least one SendMessageBatchRequestEntry in the request.", queryCode: "AWS.SimpleQueueService.EmptyBatchRequest") }
        if count > 10 { throw FakeError(code: "TooManyEntriesInBatchRequest", message: "Maximum number of entries per request are 10. You have sent \(count).", queryCode: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest") }
        if Set(ids).count != count { throw FakeError(code: "BatchEntryIdsNotDistinct", message: "Id \(ids.first ?? "") repeated.", queryCode: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct") }
    }

    static func attributes(_ node: JSONNode?) throws(FakeError) -> [MessageAttribute] {
        guard let node else { return [] }
        var out: [MessageAttribute] = []
        for (name, v) in node.members {
            guard let type = v["DataType"]?.string else { throw FakeError(code: "InvalidParameterValue", message: "The message attribute '\(name)' must contain a non-empty attribute type.", queryCode: "InvalidParameterValue") }
            out.append(MessageAttribute(name: name, dataType: type, stringValue: v["StringValue"]?.string, binaryBase64: v["BinaryValue"]?.string))
        }
        return out
    }

    /// Long poll without blocking the loop: try, and while nothing is there and time remains,
    /// suspend until a send to this queue, the next hidden message's due time, or the deadline.
    private func receiveJSON(_ root: JSONNode) async throws(FakeError) -> [UInt8] {
        let max = root["MaxNumberOfMessages"]?.int ?? 1
        let wait = root["WaitTimeSeconds"]?.int
        let visibility = root["VisibilityTimeout"]?.int
        var system = Set((root["MessageSystemAttributeNames"]?.elements ?? JSONNode.emptyElements).compactMap(\.string))
        system.formUnion((root["AttributeNames"]?.elements ?? JSONNode.emptyElements).compactMap(\.string))
        let attributeNames = Set((root["MessageAttributeNames"]?.elements ?? JSONNode.emptyElements).compactMap(\.string))
        let received = try await longPoll(root["QueueUrl"]?.string, max: max, wait: wait, visibility: visibility)
        var w = JSONWriter(capacity: 512 * (received.count + 1))
        w.beginObject()
        if !received.isEmpty {
            w.key("Messages"); w.beginArray()
            for (handle, m) in received { Self.writeMessage(m, handle: handle, system: system, attributeNames: attributeNames, into: &w) }
            w.endArray()
        }
        w.endObject()
        return w.bytes
    }

    func longPoll(_ queueURL: String?, max: Int, wait: Int?, visibility: Int?) async throws(FakeError) -> [(handle: String, message: Message)] {
        let waitSeconds = try state.withLock { s throws(FakeError) -> Int in
            let q = try s.sqs.queue(queueURL)
            return wait ?? Int(q.attributes["ReceiveMessageWaitTimeSeconds"] ?? "0") ?? 0
        }
        guard waitSeconds >= 0 && waitSeconds <= 20 else {
            throw FakeError(code: "InvalidParameterValue", message: "Value \(waitSeconds) for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", queryCode: "InvalidParameterValue")
        }
        let deadline = ISOTime.monotonicMillis() + Int64(waitSeconds) * 1000
        while true {
            let (messages, nextDue, name) = try state.withLock { s throws(FakeError) in
                let q = try s.sqs.queue(queueURL)
                let got = try s.sqs.receive(q, max: max, visibility: visibility, now: ISOTime.monotonicMillis(), wallMillis: ISOTime.nowMillis())
                return (got, q.nextDue, q.name)
            }
            let now = ISOTime.monotonicMillis()
            if !messages.isEmpty || now >= deadline { return messages }
            let wakeAt = Swift.min(deadline, nextDue ?? deadline)
            await sleepUntilSend(queue: name, forMillis: Swift.max(1, wakeAt - now))
        }
    }

    private func sleepUntilSend(queue: String, forMillis millis: Int64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let id = state.withLock { $0.waiters.add(queue: queue, c) }
            loop.schedule(after: .milliseconds(millis)) { [self] in
                state.withLock { $0.waiters.remove(id) }?.resume()
            }
        }
    }

    private static func writeMessage(_ m: Message, handle: String, system: Set<String>, attributeNames: Set<String>, into w: inout JSONWriter) {
        w.beginObject()
        w.key("MessageId"); w.string(m.id)
        w.key("ReceiptHandle"); w.string(handle)
        w.key("MD5OfBody"); w.string(m.md5OfBody)
        w.key("Body"); w.raw(m.bodyJSON)
        let systemValues = systemAttributes(m, wanted: system)
        if !systemValues.isEmpty {
            w.key("Attributes"); w.beginObject()
            for (k, v) in systemValues { w.key(k); w.string(v) }
            w.endObject()
        }
        let selected = selectedAttributes(m, wanted: attributeNames)
        if !selected.isEmpty {
            w.key("MD5OfMessageAttributes"); w.string(MessageDigest.attributes(selected) ?? "")
            w.key("MessageAttributes"); w.beginObject()
            for a in selected {
                w.key(a.name); w.beginObject()
                w.key("DataType"); w.string(a.dataType)
                if let b = a.binaryBase64 { w.key("BinaryValue"); w.string(b) } else { w.key("StringValue"); w.string(a.stringValue ?? "") }
                w.endObject()
            }
            w.endObject()
        }
        w.endObject()
    }

    static func systemAttributes(_ m: Message, wanted: Set<String>) -> [(String, String)] {
        guard !wanted.isEmpty else { return [] }
        let all = wanted.contains("All")
        var out: [(String, String)] = []
        func add(_ k: String, _ v: String) { if all || wanted.contains(k) { out.append((k, v)) } }
        add("ApproximateFirstReceiveTimestamp", String(m.firstReceiveAtMillis ?? 0))
        add("ApproximateReceiveCount", String(m.receiveCount))
        add("SenderId", "AIDAFAKEAWS")
        add("SentTimestamp", String(m.sentAtMillis))
        return out
    }

    /// "All", exact names, and `prefix.*` as SQS allows.
    static func selectedAttributes(_ m: Message, wanted: Set<String>) -> [MessageAttribute] {
        guard !wanted.isEmpty, !m.attributes.isEmpty else { return [] }
        if wanted.contains("All") || wanted.contains(".*") { return m.attributes }
        return m.attributes.filter { a in
            wanted.contains(a.name) || wanted.contains { $0.hasSuffix(".*") && a.name.hasPrefix(String($0.dropLast(1))) }
        }
    }
}
