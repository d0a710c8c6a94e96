/// The stream reader's instruments, registered once per process.
public struct StreamMetrics: Sendable {
    /// Trims met: each one's gap is replayed from the Events table.
    public let trimmed: Counter

    public init(registry: MetricsRegistry) {
        trimmed = registry.counter("pismo_stream_trimmed_total",
                                   help: "Shard reads that found their records trimmed from the stream; each gap is replayed from the Events table.")
    }
}
