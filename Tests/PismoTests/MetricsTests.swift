import Testing
@testable import Pismo

@Suite struct MetricsTests {
    @Test func rendersCountersGaugesAndHistogramsInPrometheusFormat() {
        let registry = MetricsRegistry()
        let delivered = registry.counter("pismo_delivered_total", help: "Events delivered.", labels: [("path", "stream")])
        let direct = registry.counter("pismo_delivered_total", help: "Events delivered.", labels: [("path", "direct")])
        let inFlight = registry.gauge("pismo_in_flight", help: "Work in flight.")
        let latency = registry.histogram("pismo_delivery_seconds", help: "Delivery latency.", buckets: [0.01, 0.1])
        delivered.increment(by: 3)
        direct.increment()
        inFlight.set(5)
        latency.observe(seconds: 0.005)
        latency.observe(seconds: 0.05)
        latency.observe(seconds: 5)
        let text = registry.render()
        #expect(text.components(separatedBy: "# TYPE pismo_delivered_total counter").count == 2)
        #expect(text.contains("pismo_delivered_total{path=\"stream\"} 3\n"))
        #expect(text.contains("pismo_delivered_total{path=\"direct\"} 1\n"))
        #expect(text.contains("pismo_in_flight 5\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"0.01\"} 1\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"0.1\"} 2\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("pismo_delivery_seconds_count 3\n"))
        #expect(text.contains("pismo_delivery_seconds_sum 5.055\n"))
    }

    @Test func labelValuesAreEscaped() {
        let registry = MetricsRegistry()
        registry.counter("x_total", help: "x", labels: [("client", "a\"b\\c")]).increment()
        #expect(registry.render().contains("x_total{client=\"a\\\"b\\\\c\"} 1"))
    }
}
