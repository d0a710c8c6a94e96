import PismoJSON

/// What `pismo init` creates, as data: every queue and table with the attributes that matter to
/// Pismo's guarantees. `Provisioning` creates exactly this, and `pismo init --describe` prints it as
/// JSON for `scripts/check-deploy.sh`, which compares it with the CloudFormation template: one
/// description of the infrastructure, read by both, so the two cannot drift apart unnoticed.
public struct ProvisioningPlan: Sendable, Equatable {
    public struct Queue: Sendable, Equatable {
        /// The `PismoSettings` variable naming it.
        public var env: String
        public var name: String
        public var retentionSeconds: Int
        public var visibilitySeconds: Int
        /// SQS moves a message to `redriveTarget` (the env of another queue of the plan) after
        /// `maxReceiveCount` receives.
        public var redriveTarget: String?
        public var maxReceiveCount: Int?
    }

    public struct Table: Sendable, Equatable {
        public var env: String
        public var name: String
        public var key: [DynamoDBKeyElement]
        public var stream: DynamoDBStreamViewType?
        /// DynamoDB deletes an item once the unix seconds in this attribute have passed.
        public var ttlAttribute: String?
        public var billingMode = DynamoDBClient.onDemand
    }

    /// In creation order: a redrive target comes before the queue that names it.
    public var queues: [Queue]
    public var tables: [Table]

    /// SQS moves a message to the events DLQ after this many receives: the processor never needs it
    /// (it keeps messages invisible while it retries), but a crash-looping consumer must not spin forever.
    public static let maxReceiveCount = 5
    /// SQS's maximum retention, 14 days, on every queue whose messages wait for a person or a long
    /// schedule: the default 4 days would drop a dead letter left over a long weekend.
    public static let longRetentionSeconds = 1_209_600
    /// SQS's default retention (4 days), kept for the events queue: the processor drains it in
    /// seconds, and a longer outage than that is met by the alarm on the oldest message's age.
    public static let defaultRetentionSeconds = 345_600
    /// SQS's default visibility timeout: what receivers that set their own (the retry worker, the
    /// operator tools) leave the queue at.
    public static let defaultVisibilitySeconds = 30

    public static func of(_ settings: PismoSettings) -> ProvisioningPlan {
        let dead = { (env: String, name: String) in
            Queue(env: env, name: queueName(name), retentionSeconds: longRetentionSeconds, visibilitySeconds: defaultVisibilitySeconds)
        }
        return ProvisioningPlan(
            queues: [
                dead("PISMO_EVENTS_DLQ", settings.eventsDLQ),
                dead("PISMO_DELIVER_DLQ", settings.deliverDLQ),
                // No redrive policy: a long delay is re-hidden on receive, and those receives must never
                // push a healthy retry into a DLQ; the retry worker bounds receives itself, with a reason.
                dead("PISMO_RETRY_QUEUE", settings.retryQueue),
                // Visibility is the processor's own: its heartbeat extends unresolved messages by this
                // much every half of it, so a shorter queue default would redeliver them in between.
                Queue(env: "PISMO_EVENTS_QUEUE", name: queueName(settings.eventsQueue),
                      retentionSeconds: defaultRetentionSeconds,
                      visibilitySeconds: MessageHandler.defaultVisibilityTimeoutSeconds,
                      redriveTarget: "PISMO_EVENTS_DLQ", maxReceiveCount: maxReceiveCount),
            ],
            tables: [
                Table(env: "PISMO_EVENTS_TABLE", name: settings.eventsTable, key: EventsTable.keySchema, stream: .newImage),
                Table(env: "PISMO_ROUTES_TABLE", name: settings.routesTable, key: RoutesTable.keySchema),
                Table(env: "PISMO_LEASES_TABLE", name: settings.leasesTable, key: LeasesTable.keySchema),
                Table(env: "PISMO_ATTEMPTS_TABLE", name: settings.attemptsTable, key: AttemptsTable.keySchema,
                      ttlAttribute: AttemptsTable.expiresAt),
            ])
    }

    /// A queue setting may be a URL; SQS names are its last path segment.
    static func queueName(_ nameOrURL: String) -> String {
        nameOrURL.split(separator: "/").last.map(String.init) ?? nameOrURL
    }

    public func queue(env: String) -> Queue? { queues.first { $0.env == env } }

    /// The attributes `CreateQueue` / `SetQueueAttributes` get for `queue`; `redriveTargetARN` is the
    /// ARN of its redrive target, looked up once that queue exists.
    public static func attributes(_ queue: Queue, redriveTargetARN: String?) -> [String: String] {
        var attributes = ["MessageRetentionPeriod": String(queue.retentionSeconds),
                          "VisibilityTimeout": String(queue.visibilitySeconds)]
        if let redriveTargetARN, let count = queue.maxReceiveCount {
            attributes["RedrivePolicy"] = #"{"deadLetterTargetArn":"\#(redriveTargetARN)","maxReceiveCount":"\#(count)"}"#
        }
        return attributes
    }
}
