import Testing
import Transport
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
        #expect(text.components(separatedBy: "# TYPE pismo_delivered_total counter\n").count == 2)
        #expect(text.components(separatedBy: "# HELP pismo_delivered_total Events delivered.\n").count == 2)
        #expect(text.contains("pismo_delivered_total{path=\"stream\"} 3\n"))
        #expect(text.contains("pismo_delivered_total{path=\"direct\"} 1\n"))
        #expect(text.contains("# TYPE pismo_in_flight gauge\npismo_in_flight 5.0\n"))  // gauges are floats in swift-prometheus
        #expect(text.contains("# TYPE pismo_delivery_seconds histogram\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"0.01\"} 1\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"0.1\"} 2\n"))
        #expect(text.contains("pismo_delivery_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("pismo_delivery_seconds_count 3\n"))
        #expect(text.contains("pismo_delivery_seconds_sum 5.055\n"))
    }

    @Test func gaugesGoUpAndDown() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("pismo_in_flight", help: "Work in flight.")
        gauge.add(10)
        gauge.add(-3)
        #expect(registry.render().contains("pismo_in_flight 7.0\n"))
        gauge.add(-7)
        #expect(registry.render().contains("pismo_in_flight 0.0\n"))
    }

    @Test func labelValuesAreEscaped() {
        let registry = MetricsRegistry()
        registry.counter("x_total", help: "x", labels: [("client", "a\"b\\c\nd")]).increment()
        #expect(registry.render().contains("x_total{client=\"a\\\"b\\\\c\\nd\"} 1\n"))
    }

    /// The default buckets keep the bounds and the spelling of the hand-written registry.
    @Test func latencyBucketsAreSpelledAsBefore() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("pismo_webhook_attempt_seconds", help: "Latency of one webhook attempt.")
        latency.observe(.milliseconds(1500))
        latency.observe(.microseconds(700))
        let text = registry.render()
        let bounds = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0"]
        let expected = bounds.map { bound in
            "pismo_webhook_attempt_seconds_bucket{le=\"\(bound)\"} \(Double(bound)! < 1.5 ? 1 : 2)\n"
        }.joined() + "pismo_webhook_attempt_seconds_bucket{le=\"+Inf\"} 2\n"
            + "pismo_webhook_attempt_seconds_sum 1.5007\npismo_webhook_attempt_seconds_count 2\n"
        #expect(text.contains(expected), "\(text)")
    }

    @Test func unusableObservationsCountAsZero() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("h_seconds", help: "h", buckets: [0.001])
        latency.observe(seconds: -1)
        latency.observe(seconds: .nan)
        latency.observe(.seconds(-2))
        let text = registry.render()
        #expect(text.contains("h_seconds_bucket{le=\"0.001\"} 3\n"))
        #expect(text.contains("h_seconds_sum 0.0\n"))
    }

    @Test func familiesAreRenderedInNameOrder() {
        let registry = MetricsRegistry()
        let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
        let names = (0..<30).map { "m_\(letters[$0 * 7 % 26])\(letters[$0 / 26])_total" }
        for name in names.shuffled() {
            registry.counter(name, help: "help of \(name)", labels: [("k", "1")]).increment()
            registry.counter(name, help: "help of \(name)", labels: [("k", "2")]).increment()
        }
        let lines = registry.render().split(separator: "\n")
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        #expect(typed == names.sorted())
        // Each family stays whole: HELP, TYPE, then its two series.
        for (index, line) in lines.enumerated() where line.hasPrefix("# HELP ") {
            let name = line.split(separator: " ")[2]
            #expect(lines[index + 1] == "# TYPE \(name) counter")
            #expect(lines[index + 2].hasPrefix("\(name){k=") && lines[index + 3].hasPrefix("\(name){k="))
        }
    }

    @Test func registeringTheSameSeriesTwiceSharesIt() {
        let registry = MetricsRegistry()
        registry.counter("pismo_stored_total", help: "Events stored.").increment(by: 2)
        registry.counter("pismo_stored_total", help: "Events stored.").increment(by: 3)
        let text = registry.render()
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("pismo_stored_total ") }.count == 1)
        #expect(text.contains("pismo_stored_total 5\n"))
    }

    @Test func registriesInOneProcessAreIndependent() {
        let first = MetricsRegistry(), second = MetricsRegistry()
        first.counter("pismo_received_total", help: "Messages received.").increment(by: 4)
        second.counter("pismo_received_total", help: "Messages received.").increment()
        #expect(first.render().contains("pismo_received_total 4\n"))
        #expect(second.render().contains("pismo_received_total 1\n"))
        #expect(!MetricsRegistry().render().contains("pismo_received_total"))
    }

    /// What `bench/pipeline.sh` scrapes: per-operation counts and latency series from AWSRequestCounter.
    @Test func awsRequestsAreCountedByOperation() async throws {
        let registry = MetricsRegistry()
        let client = AWSRequestCounter(Answering(), registry: registry)
        for target in ["DynamoDB_20120810.PutItem", "DynamoDB_20120810.PutItem", "AmazonSQS.ReceiveMessage"] {
            _ = try await client.execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:1/",
                                                     headers: HTTPHeaders([("X-Amz-Target", target)])), timeout: .seconds(1))
        }
        let text = registry.render()
        #expect(text.contains("# HELP pismo_aws_requests_total AWS requests sent, by operation.\n"))
        #expect(text.contains("pismo_aws_requests_total{operation=\"PutItem\"} 2\n"))
        #expect(text.contains("pismo_aws_requests_total{operation=\"ReceiveMessage\"} 1\n"))
        #expect(text.contains("pismo_aws_request_seconds_bucket{operation=\"PutItem\",le=\"0.05\"} 2\n"))
        #expect(text.contains("pismo_aws_request_seconds_count{operation=\"PutItem\"} 2\n"))
        #expect(text.contains("pismo_aws_request_seconds_sum{operation=\"ReceiveMessage\"} "))
    }
}

/// Answers every request at once with 200.
private struct Answering: HTTPExecuting {
    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        HTTPResponse(status: 200, headers: HTTPHeaders([]), body: [])
    }
}
