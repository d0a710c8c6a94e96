import CoreMetrics
import Prometheus

/// The swift-metrics factory behind one `MetricsRegistry` instrument: it registers the handler in the
/// registry's `PrometheusCollectorRegistry` with the instrument's help text and, for timers, its
/// buckets. swift-prometheus's own `PrometheusMetricsFactory` cannot do either (it registers every
/// metric with an empty help text and takes buckets from a table fixed up front), and the collector
/// traps when one name is registered with two help texts, so each instrument gets a factory value
/// that carries its own. The handlers are swift-prometheus's: `Counter`, `Gauge` (meters and
/// non-aggregating recorders) and `Histogram` (timers in seconds; aggregating recorders).
struct DescribedPrometheusFactory: MetricsFactory {
    let collector: PrometheusCollectorRegistry
    let help: String
    /// Timer buckets; aggregating recorders use the same bounds in seconds.
    let buckets: [Duration]

    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        collector.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        collector.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        collector.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return collector.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let seconds = buckets.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        return collector.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: seconds)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        collector.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { collector.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { collector.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { collector.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { collector.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { collector.unregisterValueHistogram(histogram) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { collector.unregisterDurationHistogram(histogram) }
    }
}
