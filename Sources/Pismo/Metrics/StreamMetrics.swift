/// The stream reader's instruments, registered once per process.
public struct StreamMetrics: Sendable {
    /// Trims met: each one's gap is replayed from the Events table.
    public let trimmed: Counter
    /// Lease renewals that failed (DynamoDB unreachable or slow): retried until the lease would lapse.
    public let leaseRenewalsFailed: Counter
    /// Leases a worker stopped on: taken by another instance, or lapsed through failed renewals.
    public let leasesTaken: Counter
    public let leasesLapsed: Counter

    public init(registry: MetricsRegistry) {
        leaseRenewalsFailed = registry.counter("pismo_lease_renewals_failed_total",
                                               help: "Shard lease renewals that failed; retried until the lease would lapse.")
        leasesTaken = registry.counter("pismo_leases_lost_total", help: "Shard leases a worker stopped on.", labels: [("reason", "taken")])
        leasesLapsed = registry.counter("pismo_leases_lost_total", help: "Shard leases a worker stopped on.", labels: [("reason", "lapsed")])
        trimmed = registry.counter("pismo_stream_trimmed_total",
                                   help: "Shard reads that found their records trimmed from the stream; each gap is replayed from the Events table.")
    }
}
