import Foundation
import Transport

/// `PISMO_METRICS_EMF=true`: every `interval`, one EMF line on stdout with the figures the alarms
/// need, read from the same registry `/metrics` renders. Gauges are published as their largest series
/// (the shard furthest behind), counters as their increase since the previous line, summed over
/// their label sets (0 when nothing happened, so an alarm on them sees data rather than none).
public final class EMFReporter: Sendable {
    public struct Figure: Sendable, Equatable {
        public enum Reading: Sendable, Equatable { case largest, increase }
        /// The Prometheus family, as `/metrics` names it.
        public var family: String
        /// The CloudWatch metric name.
        public var name: String
        public var unit: String
        public var reading: Reading

        public init(_ family: String, as name: String, unit: String, _ reading: Reading) {
            self.family = family
            self.name = name
            self.unit = unit
            self.reading = reading
        }
    }

    /// What `pismo processor` publishes: the dead letters events-dlq refused (events left to the
    /// redrive policy without a reason) and the AWS errors it keeps retrying (an outage in progress).
    public static let processorFigures: [Figure] = [
        Figure("pismo_received_total", as: "Received", unit: "Count", .increase),
        Figure("pismo_stored_total", as: "Stored", unit: "Count", .increase),
        Figure("pismo_invalid_total", as: "Invalid", unit: "Count", .increase),
        Figure("pismo_events_dlq_refused_total", as: "EventsDLQRefused", unit: "Count", .increase),
        Figure("pismo_processor_retried_errors_total", as: "ProcessorRetriedErrors", unit: "Count", .increase),
    ]

    /// What `pismo deliver` publishes: above all the stream's iterator age, which CloudWatch has no
    /// other way to see for a consumer that is not Lambda.
    public static let deliverFigures: [Figure] = [
        Figure(StreamMetrics.iteratorAgeName, as: "StreamIteratorAge", unit: "Seconds", .largest),
        Figure("pismo_delivered_total", as: "Delivered", unit: "Count", .increase),
        Figure("pismo_dead_lettered_total", as: "DeadLettered", unit: "Count", .increase),
        Figure("pismo_dead_letters_refused_total", as: "DeadLettersRefused", unit: "Count", .increase),
        Figure("pismo_deliver_retried_errors_total", as: "DeliverRetriedErrors", unit: "Count", .increase),
        Figure("pismo_stream_trimmed_total", as: "StreamTrimmed", unit: "Count", .increase),
        Figure("pismo_circuits_open", as: "CircuitsOpen", unit: "Count", .largest),
    ]

    private let registry: MetricsRegistry
    private let namespace: String
    private let service: String
    private let figures: [Figure]
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date
    /// Each counter's total at the previous line (0 before the first: counters start at 0 with the process).
    private let previous = Locked<[String: Double]>([:])

    public init(registry: MetricsRegistry, namespace: String, service: String, figures: [Figure],
                write: @escaping @Sendable (String) -> Void = EMFReporter.standardOutput,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.registry = registry
        self.namespace = namespace
        self.service = service
        self.figures = figures
        self.write = write
        self.now = now
    }

    /// One write per line, so a line is never split by another writer of stdout.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The line for the registry as it is now; moves the counters' baseline.
    public func line() -> EMFLine {
        let text = registry.render()
        let values: [EMFLine.Value] = figures.compactMap { figure in
            let samples = PrometheusSamples.values(of: figure.family, in: text)
            switch figure.reading {
            case .largest:
                return samples.max().map { EMFLine.Value(name: figure.name, unit: figure.unit, value: $0) }
            case .increase:
                let total = samples.reduce(0, +)
                let before = previous.withLock { seen in
                    defer { seen[figure.family] = total }
                    return seen[figure.family] ?? 0
                }
                return EMFLine.Value(name: figure.name, unit: figure.unit, value: max(0, total - before))
            }
        }
        return EMFLine(namespace: namespace, dimensions: [("Service", service)], values: values,
                       timestampMillis: UTCTime.millisecondsSince1970(now()))
    }

    public func emit() { write(line().text) }

    /// Emits every `interval` until cancelled, then once more so the last figures are not lost.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await ServiceSleep.sleep(for: interval) } catch { break }
            emit()
        }
        emit()
    }
}
