/// `pismo send`: puts JSON lines on the events queue, 10 per SendMessageBatch, reporting every
/// entry SQS refused. Lines are sent as they are (no validation here: invalid events are the
/// processor's to dead-letter, which is what the demo shows).
public struct EventSender: Sendable {
    let aws: PismoAWS
    let queueURL: String

    public init(aws: PismoAWS, queueURL: String) {
        self.aws = aws
        self.queueURL = queueURL
    }

    public struct Report: Sendable {
        public var sent = 0
        public var failed: [(line: Int, reason: String)] = []
    }

    /// `lines` are numbered from 1 for error messages; empty lines are skipped.
    public func send(_ lines: [String], progress: (Int) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        let numbered = lines.enumerated().filter { !$0.element.allSatisfy(\.isWhitespace) }
        var start = 0
        while start < numbered.count {
            let chunk = numbered[start..<min(start + 10, numbered.count)]
            let entries = chunk.map { SQSSendEntry(id: String($0.offset + 1), body: $0.element) }
            let result = try await aws.sqs.sendMessageBatch(queueURL: queueURL, entries: entries)
            report.sent += result.successful.count
            report.failed += result.failed.map { (Int($0.id) ?? 0, "\($0.code): \($0.message)") }
            start += chunk.count
            progress(report.sent)
        }
        return report
    }
}
