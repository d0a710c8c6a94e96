/// SQS standard queues in memory, shared by the JSON and query front ends. Not thread-safe:
/// `FakeAWS` calls it under its lock.
public final class FakeSQS {
    var queues: [String: Queue] = [:]
    let region: String
    let account: String
    private var ids = MessageIDs(seed: 0x5eed)

    init(region: String, account: String) {
        self.region = region
        self.account = account
    }

    static let queueDoesNotExist = FakeError(code: "QueueDoesNotExist", message: "The specified queue does not exist.",
                                             queryCode: "AWS.SimpleQueueService.NonExistentQueue")

    func url(_ name: String, host: String) -> String { "http://\(host)/\(account)/\(name)" }

    /// A queue by URL (any host: only the last path segment counts) or by name.
    func queue(_ urlOrName: String?) throws(FakeError) -> Queue {
        guard let urlOrName, !urlOrName.isEmpty else { throw FakeError(code: "MissingParameter", message: "QueueUrl is required", queryCode: "MissingParameter") }
        let name = urlOrName.split(separator: "/").last.map(String.init) ?? urlOrName
        guard let q = queues[name] else { throw Self.queueDoesNotExist }
        return q
    }

    func createQueue(name: String, attributes: [String: String], nowMillis: Int64) throws(FakeError) -> Queue {
        guard !name.isEmpty, name.utf8.count <= 80, name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 32 >= 97 && $0 | 32 <= 122) || $0 == 45 || $0 == 95 }) else {
            throw FakeError(code: "InvalidParameterValue", message: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length", queryCode: "InvalidParameterValue")
        }
        if name.hasSuffix(".fifo") || attributes["FifoQueue"] == "true" { throw .unimplemented("FIFO queues") }
        if let existing = queues[name] {
            // Same attributes: the existing queue; different ones: an error, as SQS does.
            for (k, v) in attributes where existing.attributes[k] != v {
                throw FakeError(code: "QueueNameExists", message: "A queue already exists with the same name and a different value for attribute \(k)", queryCode: "QueueAlreadyExists")
            }
            return existing
        }
        let q = Queue(name: name, arn: "arn:aws:sqs:\(region):\(account):\(name)", attributes: attributes, nowMillis: nowMillis)
        queues[name] = q
        return q
    }

    struct Sent { var messageID: String; var md5OfBody: String; var md5OfAttributes: String? }

    func send(_ queue: Queue, body: String, bodyJSON: [UInt8], attributes: [MessageAttribute], delaySeconds: Int?,
              now: Int64, wallMillis: Int64) throws(FakeError) -> Sent {
        if body.isEmpty { throw FakeError(code: "MissingParameter", message: "The request must contain the parameter MessageBody.", queryCode: "MissingParameter") }
        let size = body.utf8.count + attributes.reduce(0) { $0 + $1.name.utf8.count + $1.dataType.utf8.count + ($1.stringValue?.utf8.count ?? 0) + ($1.binaryBase64?.utf8.count ?? 0) * 3 / 4 }
        if size > (Int(queue.attributes["MaximumMessageSize"] ?? "") ?? 262_144) {
            throw FakeError(code: "InvalidParameterValue", message: "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.", queryCode: "InvalidParameterValue")
        }
        let delay = delaySeconds ?? Int(queue.attributes["DelaySeconds"] ?? "0") ?? 0
        guard delay >= 0 && delay <= 900 else {
            throw FakeError(code: "InvalidParameterValue", message: "Value \(delay) for parameter DelaySeconds is invalid. Reason: must be between 0 and 900", queryCode: "InvalidParameterValue")
        }
        let md5 = MessageDigest.md5(Array(body.utf8))
        let attributesMD5 = MessageDigest.attributes(attributes)
        let message = Message(id: ids.next(), body: body, bodyJSON: bodyJSON, md5OfBody: md5, attributes: attributes,
                              md5OfAttributes: attributesMD5, sentAtMillis: wallMillis)
        queue.add(message, delaySeconds: delay, now: now)
        return Sent(messageID: message.id, md5OfBody: md5, md5OfAttributes: attributesMD5)
    }

    func receive(_ queue: Queue, max: Int, visibility: Int?, now: Int64, wallMillis: Int64) throws(FakeError) -> [(handle: String, message: Message)] {
        guard max >= 1 && max <= 10 else {
            throw FakeError(code: "InvalidParameterValue", message: "Value \(max) for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", queryCode: "InvalidParameterValue")
        }
        let v = visibility ?? queue.visibilityTimeout
        guard v >= 0 && v <= 43_200 else { throw FakeError(code: "InvalidParameterValue", message: "VisibilityTimeout must be between 0 and 43200", queryCode: "InvalidParameterValue") }
        let dlq = queue.redrive.flatMap { r in queues.values.first { $0.arn == r.arn } }
        return queue.receive(max: max, visibility: v, now: now, wallMillis: wallMillis) { m in
            guard let dlq else { return false }
            var moved = m
            moved.invisibleUntil = 0
            moved.generation &+= 1
            dlq.add(moved, delaySeconds: 0, now: now)
            return true
        }.map { (Queue.handle($0.0, $0.1.generation), $0.1) }
    }

    func delete(_ queue: Queue, handle: String) throws(FakeError) {
        do { try queue.delete(handle: handle) } catch { throw Self.handleError(error, handle) }
    }

    func changeVisibility(_ queue: Queue, handle: String, seconds: Int, now: Int64) throws(FakeError) {
        guard seconds >= 0 && seconds <= 43_200 else { throw FakeError(code: "InvalidParameterValue", message: "VisibilityTimeout must be between 0 and 43200", queryCode: "InvalidParameterValue") }
        do { try queue.changeVisibility(handle: handle, seconds: seconds, now: now) } catch { throw Self.handleError(error, handle) }
    }

    static func handleError(_ e: Queue.HandleError, _ handle: String) -> FakeError {
        switch e {
        case .invalid: FakeError(code: "ReceiptHandleIsInvalid", message: "The input receipt handle \"\(handle)\" is not a valid receipt handle.", queryCode: "ReceiptHandleIsInvalid")
        case .notInFlight: FakeError(code: "MessageNotInflight", message: "Message does not exist or is not available for visibility timeout change.", queryCode: "AWS.SimpleQueueService.MessageNotInflight")
        }
    }

    /// The attributes GetQueueAttributes reports: the settable ones plus the computed counts.
    func attributes(_ queue: Queue, names: [String], now: Int64) -> [(String, String)] {
        var all = queue.attributes
        let counts = queue.counts(now: now)
        all["QueueArn"] = queue.arn
        all["ApproximateNumberOfMessages"] = String(counts.visible)
        all["ApproximateNumberOfMessagesNotVisible"] = String(counts.notVisible)
        all["ApproximateNumberOfMessagesDelayed"] = String(counts.delayed)
        all["CreatedTimestamp"] = String(queue.createdAtMillis / 1000)
        all["LastModifiedTimestamp"] = String(queue.createdAtMillis / 1000)
        let wanted = names.isEmpty || names.contains("All") ? Array(all.keys) : names
        return wanted.sorted().compactMap { n in all[n].map { (n, $0) } }
    }

    func nextMessageID() -> String { ids.next() }
}
