import Logging

/// The processor's failure metrics: what it keeps retrying, by AWS error code, and what it had to
/// leave to the events queue's redrive policy.
public struct ProcessorFailureMetrics: Sendable {
    let registry: MetricsRegistry
    /// Dead letters events-dlq refused even with a shortened `pismo-error`: the message is left
    /// untouched for the queue's redrive policy (the last resort).
    public let deadLetterRefused: Counter

    public static let retriedName = "pismo_processor_retried_errors_total"

    public init(registry: MetricsRegistry) {
        self.registry = registry
        deadLetterRefused = registry.counter("pismo_events_dlq_refused_total",
                                             help: "Dead letters events-dlq refused for good; left to the events queue's redrive policy.")
    }

    /// One failed attempt that will be retried. Registering again returns the same series, and
    /// failures are paced by the backoff, so there is no cache to keep.
    func retried(operation: String, code: String) {
        registry.counter(Self.retriedName, help: "Failed AWS calls the processor retries, by operation and error code.",
                         labels: [("operation", operation), ("code", code)]).increment()
    }
}

/// Makes a retry loop visible: a warning with the error code and message at the first failure and
/// then at most once per `interval` for the same message and operation, and a count of every
/// failure by code. One per retry loop (its state is that loop's).
struct RetryVisibility {
    let operation: String
    let messageID: String
    let interval: ContinuousClock.Duration
    let metrics: ProcessorFailureMetrics
    let logger: Logger
    private var lastWarning: ContinuousClock.Instant?

    init(operation: String, messageID: String, interval: Duration, metrics: ProcessorFailureMetrics, logger: Logger) {
        self.operation = operation
        self.messageID = messageID
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    mutating func failed(_ error: any Error, failures: Int) {
        let (code, message) = Self.describe(error)
        metrics.retried(operation: operation, code: code)
        let now = ContinuousClock.now
        if let last = lastWarning, now - last < interval { return }
        lastWarning = now
        logger.warning("AWS call failed; retrying", metadata: [
            "operation": "\(operation)", "message_id": "\(messageID)", "code": "\(code)",
            "error": "\(message)", "failures": "\(failures)",
        ])
    }

    static func describe(_ error: any Error) -> (code: String, message: String) {
        if let aws = error as? AWSError { return (aws.code, aws.message) }
        return (String(describing: type(of: error)), String(describing: error))
    }
}
