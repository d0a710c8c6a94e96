/// The two dead-letter queues on SQS: events-dlq (invalid events) and deliver-dlq (undeliverable ones).

/// `events-dlq`: body byte-identical, reason in the `pismo-error` String attribute.
public struct SQSInvalidEventPublisher: InvalidEventPublisher {
    let sqs: SQSClient
    let queueURL: String

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func publish(body: [UInt8], reason: DeadLetterReason) async throws {
        _ = try await sqs.sendMessage(queueURL: queueURL, body: String(decoding: body, as: UTF8.self),
                                      attributes: ["pismo-error": .string(reason.description)])
    }
}

/// `deliver-dlq` with the operator-contract attributes. A letter SQS could never take as it is does
/// not block the shard behind it: attribute values are sanitised to the characters SQS accepts and
/// `pismo-error` is bounded; a payload too large to travel with its attributes (or refused for its
/// content) is replaced by a `StoredEventReference` to its Events table item, marked
/// `pismo-body: reference`.
public struct SQSDeadLetterPublisher: DeadLetterPublisher {
    let sqs: SQSClient
    let queueURL: String
    /// `pismo-error` beyond this many bytes is cut: an endpoint's text must not crowd out the payload.
    static let maxErrorBytes = 4_096

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func publish(payload: [UInt8], letter: DeadLetter) async throws {
        let attributes = Self.attributes(letter)
        let body = String(decoding: payload, as: UTF8.self)
        if SQSMessageLimits.size(body: body, attributes: attributes) <= SQSMessageLimits.maxMessageBytes || letter.eventKey.isEmpty {
            do {
                _ = try await sqs.sendMessage(queueURL: queueURL, body: body, attributes: attributes)
                return
            } catch let error as AWSError where error.isPermanent && !letter.eventKey.isEmpty {
                // Refused for what the payload carries: the reference below always fits.
            }
        }
        var referenced = attributes
        referenced[StoredEventReference.bodyAttribute] = .string(StoredEventReference.bodyAttributeValue)
        let reference = StoredEventReference(clientID: letter.clientID, eventKey: letter.eventKey, eventID: letter.eventID)
        _ = try await sqs.sendMessage(queueURL: queueURL, body: SQSMessageLimits.sanitized(reference.json), attributes: referenced)
    }

    static func attributes(_ letter: DeadLetter) -> [String: SQSMessageAttribute] {
        var attributes: [String: SQSMessageAttribute] = ["pismo-attempts": .number(String(letter.attempts))]
        // SQS refuses an empty String value: an attribute with nothing to say is left out.
        let strings = ["pismo-error": SQSMessageLimits.truncated(letter.reason.description, maxBytes: maxErrorBytes),
                       "pismo-client-id": letter.clientID, "pismo-event-id": letter.eventID,
                       "pismo-endpoint": letter.endpointID ?? ""]
        for (name, value) in strings where !value.isEmpty { attributes[name] = .string(SQSMessageLimits.sanitized(value)) }
        // Only when a status was actually received: absent for no route, hangs and resets.
        if let status = letter.lastStatus { attributes["pismo-last-status"] = .number(String(status)) }
        return attributes
    }
}
