/// The attempt log's instruments: what was written, and what was given up, by reason.
struct AttemptLogMetrics: Sendable {
    enum DropReason: String, CaseIterable {
        /// The buffer was full: storage is slower than the failures coming in.
        case overflow
        /// The write failed, or storage handed the records back unprocessed.
        case writeFailed = "write-failed"
        /// Recorded after the log was closed for shutdown.
        case closed
    }

    let written: Counter
    private let dropped: [DropReason: Counter]

    init(registry: MetricsRegistry) {
        written = registry.counter("pismo_attempt_log_written_total", help: "Webhook attempts written to the attempts table.")
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = registry.counter("pismo_attempt_log_dropped_total",
                                               help: "Webhook attempts the attempt log gave up on (never an event), by reason.",
                                               labels: [("reason", reason.rawValue)])
        }
        self.dropped = dropped
    }

    func dropped(_ count: Int, _ reason: DropReason) { dropped[reason]?.increment(by: count) }
}
