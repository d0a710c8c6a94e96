/// The stream reader's instruments, registered once per process.
public struct StreamMetrics: Sendable {
    /// Trims met: each one's gap is replayed from the Events table.
    public let trimmed: Counter
    private let registry: MetricsRegistry
    /// Lease renewals that failed (DynamoDB unreachable or slow): retried until the lease would lapse.
    public let leaseRenewalsFailed: Counter
    /// Leases a worker stopped on: taken by another instance, or lapsed through failed renewals.
    public let leasesTaken: Counter
    public let leasesLapsed: Counter

    public static let iteratorAgeName = "pismo_stream_iterator_age_seconds"

    public init(registry: MetricsRegistry) {
        self.registry = registry
        leaseRenewalsFailed = registry.counter("pismo_lease_renewals_failed_total",
                                               help: "Shard lease renewals that failed; retried until the lease would lapse.")
        leasesTaken = registry.counter("pismo_leases_lost_total", help: "Shard leases a worker stopped on.", labels: [("reason", "taken")])
        leasesLapsed = registry.counter("pismo_leases_lost_total", help: "Shard leases a worker stopped on.", labels: [("reason", "lapsed")])
        trimmed = registry.counter("pismo_stream_trimmed_total",
                                   help: "Shard reads that found their records trimmed from the stream; each gap is replayed from the Events table.")
    }

    /// How far behind the stream this process reads `shard` (see `IteratorAge`); one series per shard
    /// read here, removed when the shard's worker stops.
    public func iteratorAge(shard: String) -> Gauge {
        registry.gauge(Self.iteratorAgeName,
                       help: "Per shard: now minus the approximate creation time of the last stream record read (0 once a read finds nothing newer), as Lambda's IteratorAge.",
                       labels: [("shard", shard)])
    }
}
