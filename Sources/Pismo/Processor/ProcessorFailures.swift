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
