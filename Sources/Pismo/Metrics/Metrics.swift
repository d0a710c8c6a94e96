import Transport
import Synchronization

/// A small Prometheus registry: counters, gauges and fixed-bucket histograms, rendered in the
/// text exposition format for `GET /metrics`.
///
/// Why our own instead of swift-metrics + swift-prometheus: the hot path (one increment per event)
/// is a single relaxed atomic add here, with no boxing or lock; and it keeps the dependency graph small.
/// Instruments are created once at start and shared freely across threads.
public final class MetricsRegistry: Sendable {
    private let instruments = Locked<[any PrometheusRenderable]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        register(Counter(name: name, help: help, labels: labels))
    }

    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        register(Gauge(name: name, help: help, labels: labels))
    }

    /// Buckets are upper bounds in seconds.
    public func histogram(_ name: String, help: String, buckets: [Double] = Histogram.latencyBuckets,
                          labels: [(String, String)] = []) -> Histogram {
        register(Histogram(name: name, help: help, buckets: buckets, labels: labels))
    }

    private func register<T: PrometheusRenderable>(_ instrument: T) -> T {
        instruments.withLock { $0.append(instrument) }
        return instrument
    }

    /// The whole registry in Prometheus text format 0.0.4. HELP/TYPE are written once per name even
    /// when several label sets share it.
    public func render() -> String {
        let all = instruments.withLock { $0 }
        var out = ""
        var described = Set<String>()
        for instrument in all.sorted(by: { $0.name < $1.name }) {
            if described.insert(instrument.name).inserted {
                out += "# HELP \(instrument.name) \(instrument.help)\n# TYPE \(instrument.name) \(instrument.kind)\n"
            }
            instrument.render(into: &out)
        }
        return out
    }
}

protocol PrometheusRenderable: Sendable {
    var name: String { get }
    var help: String { get }
    var kind: String { get }
    func render(into out: inout String)
}

func renderLabels(_ labels: [(String, String)], extra: (String, String)? = nil) -> String {
    let all = labels + (extra.map { [$0] } ?? [])
    if all.isEmpty { return "" }
    let body = all.map { key, value in
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        return "\(key)=\"\(escaped)\""
    }
    return "{" + body.joined(separator: ",") + "}"
}

public final class Counter: PrometheusRenderable {
    let name: String, help: String, labels: [(String, String)]
    var kind: String { "counter" }
    private let value = Atomic<Int>(0)

    init(name: String, help: String, labels: [(String, String)]) {
        (self.name, self.help, self.labels) = (name, help, labels)
    }

    public func increment(by amount: Int = 1) { value.wrappingAdd(amount, ordering: .relaxed) }
    public var current: Int { value.load(ordering: .relaxed) }

    func render(into out: inout String) { out += "\(name)\(renderLabels(labels)) \(current)\n" }
}

public final class Gauge: PrometheusRenderable {
    let name: String, help: String, labels: [(String, String)]
    var kind: String { "gauge" }
    private let value = Atomic<Int>(0)

    init(name: String, help: String, labels: [(String, String)]) {
        (self.name, self.help, self.labels) = (name, help, labels)
    }

    public func add(_ amount: Int) { value.wrappingAdd(amount, ordering: .relaxed) }
    public func set(_ amount: Int) { value.store(amount, ordering: .relaxed) }
    public var current: Int { value.load(ordering: .relaxed) }

    func render(into out: inout String) { out += "\(name)\(renderLabels(labels)) \(current)\n" }
}

public final class Histogram: PrometheusRenderable {
    /// 1 ms .. 60 s, roughly ×2.5 per step: enough resolution for both webhook and AWS latencies.
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    let name: String, help: String, labels: [(String, String)]
    var kind: String { "histogram" }
    let buckets: [Double]
    /// One box per bucket: `Atomic` is non-copyable and cannot live in an array directly.
    private let counts: [AtomicCell]
    private let count = Atomic<Int>(0)
    /// The sum is kept in microseconds as an integer so it can be an atomic add.
    private let sumMicros = Atomic<Int>(0)

    init(name: String, help: String, buckets: [Double], labels: [(String, String)]) {
        (self.name, self.help, self.labels, self.buckets) = (name, help, labels, buckets.sorted())
        self.counts = buckets.map { _ in AtomicCell() }
    }

    public func observe(seconds: Double) {
        if let index = buckets.firstIndex(where: { seconds <= $0 }) {
            counts[index].value.wrappingAdd(1, ordering: .relaxed)
        }
        count.wrappingAdd(1, ordering: .relaxed)
        sumMicros.wrappingAdd(Int(seconds * 1_000_000), ordering: .relaxed)
    }

    public func observe(_ duration: Duration) { observe(seconds: duration.seconds) }

    public var sampleCount: Int { count.load(ordering: .relaxed) }

    func render(into out: inout String) {
        var cumulative = 0
        for (bound, bucket) in zip(buckets, counts) {
            cumulative += bucket.value.load(ordering: .relaxed)
            out += "\(name)_bucket\(renderLabels(labels, extra: ("le", "\(bound)"))) \(cumulative)\n"
        }
        let total = count.load(ordering: .relaxed)
        out += "\(name)_bucket\(renderLabels(labels, extra: ("le", "+Inf"))) \(total)\n"
        out += "\(name)_sum\(renderLabels(labels)) \(Double(sumMicros.load(ordering: .relaxed)) / 1_000_000)\n"
        out += "\(name)_count\(renderLabels(labels)) \(total)\n"
    }
}

final class AtomicCell: Sendable {
    let value = Atomic<Int>(0)
}
