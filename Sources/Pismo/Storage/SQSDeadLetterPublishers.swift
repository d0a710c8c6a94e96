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

/// `deliver-dlq` with the operator-contract attributes.
public struct SQSDeadLetterPublisher: DeadLetterPublisher {
    let sqs: SQSClient
    let queueURL: String

    public init(sqs: SQSClient, queueURL: String) {
        self.sqs = sqs
        self.queueURL = queueURL
    }

    public func publish(payload: [UInt8], letter: DeadLetter) async throws {
        var attributes: [String: SQSMessageAttribute] = [
            "pismo-error": .string(letter.reason.description),
            "pismo-client-id": .string(letter.clientID),
            "pismo-event-id": .string(letter.eventID),
            "pismo-attempts": .number(String(letter.attempts)),
        ]
        // Only when a status was actually received: absent for no route, hangs and resets.
        if let status = letter.lastStatus { attributes["pismo-last-status"] = .number(String(status)) }
        _ = try await sqs.sendMessage(queueURL: queueURL, body: String(decoding: payload, as: UTF8.self), attributes: attributes)
    }
}
