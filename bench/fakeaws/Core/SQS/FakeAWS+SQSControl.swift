import PismoJSON

/// The SQS JSON operations that never wait: queues, deletes, visibility changes.
extension FakeAWS {
    static func sqsControlJSON(_ s: inout State, _ operation: String, _ root: JSONNode, host: String) throws(FakeError) -> [UInt8] {
        let sqs = s.sqs
        let now = ISOTime.monotonicMillis()
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        switch operation {
        case "CreateQueue":
            var attributes: [String: String] = [:]
            for (k, v) in root["Attributes"]?.members ?? JSONNode.emptyMembers { attributes[k] = v.string ?? v.numberText ?? "" }
            let q = try sqs.createQueue(name: root["QueueName"]?.string ?? "", attributes: attributes, nowMillis: ISOTime.nowMillis())
            w.key("QueueUrl"); w.string(sqs.url(q.name, host: host))
        case "GetQueueUrl":
            let q = try sqs.queue(root["QueueName"]?.string)
            w.key("QueueUrl"); w.string(sqs.url(q.name, host: host))
        case "ListQueues":
            let prefix = root["QueueNamePrefix"]?.string ?? ""
            w.key("QueueUrls"); w.beginArray()
            for name in sqs.queues.keys.sorted() where name.hasPrefix(prefix) { w.string(sqs.url(name, host: host)) }
            w.endArray()
        case "GetQueueAttributes":
            let q = try sqs.queue(root["QueueUrl"]?.string)
            let names = (root["AttributeNames"]?.elements ?? JSONNode.emptyElements).compactMap(\.string)
            w.key("Attributes"); w.beginObject()
            for (k, v) in sqs.attributes(q, names: names, now: now) { w.key(k); w.string(v) }
            w.endObject()
        case "SetQueueAttributes":
            let q = try sqs.queue(root["QueueUrl"]?.string)
            for (k, v) in root["Attributes"]?.members ?? JSONNode.emptyMembers { q.attributes[k] = v.string ?? v.numberText ?? "" }
        case "PurgeQueue":
            try sqs.queue(root["QueueUrl"]?.string).purge()
        case "DeleteQueue":
            let q = try sqs.queue(root["QueueUrl"]?.string)
            sqs.queues[q.name] = nil
        case "DeleteMessage":
            try sqs.delete(try sqs.queue(root["QueueUrl"]?.string), handle: root["ReceiptHandle"]?.string ?? "")
        case "ChangeMessageVisibility":
            guard let seconds = root["VisibilityTimeout"]?.int else { throw FakeError(code: "MissingParameter", message: "VisibilityTimeout is required", queryCode: "MissingParameter") }
            try sqs.changeVisibility(try sqs.queue(root["QueueUrl"]?.string), handle: root["ReceiptHandle"]?.string ?? "", seconds: seconds, now: now)
        case "DeleteMessageBatch", "ChangeMessageVisibilityBatch":
            let q = try sqs.queue(root["QueueUrl"]?.string)
            let entries = Array(root["Entries"]?.elements ?? JSONNode.emptyElements)
            try checkBatch(entries.compactMap { $0["Id"]?.string }, count: entries.count)
            var failed: [(String, FakeError)] = []
            w.key("Successful"); w.beginArray()
            for e in entries {
                let id = e["Id"]?.string ?? ""
                do {
                    if operation == "DeleteMessageBatch" {
                        try sqs.delete(q, handle: e["ReceiptHandle"]?.string ?? "")
                    } else {
                        try sqs.changeVisibility(q, handle: e["ReceiptHandle"]?.string ?? "", seconds: e["VisibilityTimeout"]?.int ?? 0, now: now)
                    }
                    w.beginObject(); w.key("Id"); w.string(id); w.endObject()
                } catch { failed.append((id, error)) }
            }
            w.endArray()
            writeFailures(failed, into: &w)
        default:
            throw FakeError(code: "UnsupportedOperation", message: "fakeaws does not implement SQS \(operation)", queryCode: "AWS.SimpleQueueService.UnsupportedOperation")
        }
        w.endObject()
        return w.bytes
    }
}
