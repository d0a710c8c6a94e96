/// `pismo init`: creates every queue and table Pismo needs, idempotently — running it twice, or
/// against resources that already exist, is a no-op that still reports what is there.
public struct Provisioning: Sendable {
    let aws: PismoAWS
    let settings: PismoSettings
    let log: @Sendable (String) -> Void

    public init(aws: PismoAWS, settings: PismoSettings, log: @escaping @Sendable (String) -> Void) {
        self.aws = aws
        self.settings = settings
        self.log = log
    }

    /// SQS moves a message to the events DLQ after this many receives: the processor never needs it
    /// (it keeps messages invisible while it retries), but a crash-looping consumer must not spin forever.
    public static let maxReceiveCount = 5

    /// SQS's maximum retention, 14 days, on every queue whose messages wait for a person or a long
    /// schedule: the default 4 days would drop a dead letter left over a long weekend.
    public static let longRetention = ["MessageRetentionPeriod": "1209600"]

    public func run() async throws {
        let eventsDLQ = try await ensureQueue(settings.eventsDLQ, attributes: Self.longRetention)
        _ = try await ensureQueue(settings.deliverDLQ, attributes: Self.longRetention)
        // No redrive policy: a long delay is re-hidden on receive, and those receives must never push a
        // healthy retry into a DLQ; the retry worker bounds receives itself, with a reason.
        _ = try await ensureQueue(settings.retryQueue, attributes: Self.longRetention)
        let dlqARN = try await aws.sqs.getQueueAttributes(queueURL: eventsDLQ, names: ["QueueArn"])["QueueArn"]
        guard let dlqARN else { throw PismoError.configuration("\(settings.eventsDLQ) has no QueueArn attribute") }
        let redrive = #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"\#(Self.maxReceiveCount)"}"#
        _ = try await ensureQueue(settings.eventsQueue, attributes: ["RedrivePolicy": redrive])

        try await ensureTable(settings.eventsTable, key: EventsTable.keySchema, stream: .newImage)
        try await ensureTable(settings.routesTable, key: RoutesTable.keySchema, stream: nil)
        try await ensureTable(settings.leasesTable, key: LeasesTable.keySchema, stream: nil)
        try await ensureTable(settings.attemptsTable, key: AttemptsTable.keySchema, stream: nil)
        try await ensureTimeToLive(settings.attemptsTable, attribute: AttemptsTable.expiresAt)
    }

    /// Turns TTL on for `attribute` unless it already is. TTL on another attribute is left alone
    /// (DynamoDB cannot switch it in one step, and someone chose it): said, not failed.
    private func ensureTimeToLive(_ table: String, attribute: String) async throws {
        let (status, current) = try await aws.dynamo.describeTimeToLive(table: table)
        switch (status, current) {
        case ("ENABLED", attribute), ("ENABLING", attribute):
            log("table \(table): TTL on \(attribute)")
        case ("ENABLED", let other?), ("ENABLING", let other?):
            log("table \(table): TTL is on \(other), not \(attribute): its items will not expire (disable TTL, then run init again)")
        default:
            try await aws.dynamo.updateTimeToLive(table: table, attribute: attribute, enabled: true)
            log("table \(table): TTL enabled on \(attribute)")
        }
    }

    /// Creates the queue, or brings an existing one's attributes in line.
    private func ensureQueue(_ nameOrURL: String, attributes: [String: String]) async throws -> String {
        let name = nameOrURL.split(separator: "/").last.map(String.init) ?? nameOrURL
        do {
            let url = try await aws.sqs.createQueue(name: name, attributes: attributes)
            log("queue \(name): ready (\(url))")
            return url
        } catch let error as AWSError where error.code == "QueueNameExists" || error.code == "QueueAlreadyExists" {
            let url = try await aws.queueURL(nameOrURL)
            if !attributes.isEmpty { try await aws.sqs.setQueueAttributes(queueURL: url, attributes: attributes) }
            log("queue \(name): exists, attributes updated")
            return url
        }
    }

    private func ensureTable(_ name: String, key: [DynamoDBKeyElement], stream: DynamoDBStreamViewType?) async throws {
        do {
            _ = try await aws.dynamo.createTable(name: name, key: key, stream: stream)
            log("table \(name): created")
        } catch let error as AWSError where error.code == "ResourceInUseException" {
            let description = try await aws.dynamo.describeTable(name: name)
            if stream != nil, !description.streamEnabled {
                _ = try await aws.dynamo.updateTable(name: name, stream: stream)
                log("table \(name): exists, stream enabled")
            } else {
                log("table \(name): exists")
            }
        }
        try await waitUntilActive(name)
    }

    private func waitUntilActive(_ name: String) async throws {
        for _ in 0..<120 {
            if try await aws.dynamo.describeTable(name: name).status == "ACTIVE" { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw PismoError.configuration("table \(name) did not become ACTIVE within 60 s")
    }
}
