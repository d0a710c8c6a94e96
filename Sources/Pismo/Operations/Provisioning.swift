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

    /// Creates everything `ProvisioningPlan.of(settings)` describes, in its order.
    public func run() async throws {
        let plan = ProvisioningPlan.of(settings)
        var arns: [String: String] = [:]  // by env, for the redrive policies that name them
        for queue in plan.queues {
            let targetARN = try queue.redriveTarget.map { target in
                guard let arn = arns[target] else { throw PismoError.configuration("\(queue.name): redrive target \(target) not created yet") }
                return arn
            }
            let url = try await ensureQueue(queue.name, attributes: ProvisioningPlan.attributes(queue, redriveTargetARN: targetARN))
            if plan.queues.contains(where: { $0.redriveTarget == queue.env }) {
                guard let arn = try await aws.sqs.getQueueAttributes(queueURL: url, names: ["QueueArn"])["QueueArn"] else {
                    throw PismoError.configuration("\(queue.name) has no QueueArn attribute")
                }
                arns[queue.env] = arn
            }
        }
        for table in plan.tables {
            try await ensureTable(table.name, key: table.key, stream: table.stream)
            if let attribute = table.ttlAttribute { try await ensureTimeToLive(table.name, attribute: attribute) }
        }
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
    private func ensureQueue(_ name: String, attributes: [String: String]) async throws -> String {
        do {
            let url = try await aws.sqs.createQueue(name: name, attributes: attributes)
            log("queue \(name): ready (\(url))")
            return url
        } catch let error as AWSError where error.code == "QueueNameExists" || error.code == "QueueAlreadyExists" {
            let url = try await aws.queueURL(name)
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
