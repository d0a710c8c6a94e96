// pismo-microbench metrics [MILLIONS] [THREADS]: the per-event cost of the metrics the processor and
// deliver update on their hot paths: a counter increment, a gauge add, a latency histogram observation
// (default buckets, durations spread from 100 µs to 10 s), each MILLIONS million times (default 10)
// on THREADS threads sharing the instruments (default 1; >1 shows contention), best of 3 rounds, in
// ns/op; and the cost of rendering a service-sized registry for one scrape. Uses only the public
// MetricsRegistry API, so the same file measures any backend behind it. Build with -c release.
import Foundation
import Pismo

func runMetricsBenchmark(_ args: [String]) throws {
    let millions = args.first.flatMap(Double.init) ?? 10
    let threads = max(1, args.dropFirst().first.flatMap(Int.init) ?? 1)
    let iterations = Int(millions * 1_000_000)
    print("metrics microbenchmarks, \(iterations) operations per thread, \(threads) thread(s) (best of 3 rounds)")

    let registry = MetricsRegistry()
    let counter = registry.counter("bench_events_total", help: "Events.")
    let gauge = registry.gauge("bench_in_flight", help: "In flight.")
    let histogram = registry.histogram("bench_latency_seconds", help: "Latency.")
    // 1024 durations, log-uniform from 100 µs to 10 s: every bucket of the default layout gets some.
    let durations: [Duration] = (0..<1024).map { .nanoseconds(Int64(100_000 * pow(100_000, Double($0) / 1023))) }

    measureThreads("counter.increment()", iterations: iterations, threads: threads) { _ in counter.increment() }
    measureThreads("gauge.add(+1/-1)", iterations: iterations, threads: threads) { i in gauge.add(i & 1 == 0 ? 1 : -1) }
    measureThreads("histogram.observe(Duration)", iterations: iterations, threads: threads) { i in
        histogram.observe(durations[i & 1023])
    }

    // One scrape of a service-sized registry: the processor's and deliver's instruments plus eight
    // AWS operations (a counter and a histogram each), all with values.
    let service = MetricsRegistry()
    for name in ["received", "stored", "duplicates", "invalid", "delivered", "delivery_retries", "dead_lettered"] {
        service.counter("pismo_\(name)_total", help: "Help for \(name).").increment(by: 12345)
    }
    service.gauge("pismo_processor_in_flight", help: "In flight.").set(3)
    service.gauge("pismo_deliveries_in_flight", help: "In flight.").set(7)
    for name in ["pismo_processor_batch_seconds", "pismo_webhook_attempt_seconds"] {
        let h = service.histogram(name, help: "Latency.")
        for d in durations { h.observe(d) }
    }
    for op in ["PutItem", "GetItem", "Query", "GetRecords", "GetShardIterator", "ReceiveMessage", "DeleteMessageBatch", "SendMessage"] {
        service.counter("pismo_aws_requests_total", help: "AWS requests sent, by operation.", labels: [("operation", op)]).increment(by: 999)
        let h = service.histogram("pismo_aws_request_seconds", help: "AWS request latency (one attempt), by operation.",
                                  labels: [("operation", op)])
        for d in durations { h.observe(d) }
    }
    let bytes = RenderedBytes()
    measureThreads("render() (27 series, \(service.render().utf8.count) B)", iterations: 2_000, threads: 1) { _ in
        bytes.add(service.render().utf8.count)
    }
    if bytes.total == 42 { print(bytes.total) }
}

/// Keeps the rendered text observable so the optimiser cannot drop it.
private final class RenderedBytes: @unchecked Sendable {  // one thread only
    private(set) var total = 0
    func add(_ count: Int) { total &+= count }
}

/// Runs `body(i)` for i in 0..<iterations on each of `threads` threads at once, three rounds, and prints
/// the best wall time per operation of one thread (so 1 thread and N threads compare per call).
private func measureThreads(_ name: String, iterations: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var best = Double.infinity
    for _ in 0..<3 {
        let start = ContinuousClock.now
        if threads == 1 {
            for i in 0..<iterations { body(i) }
        } else {
            let group = DispatchGroup()
            for _ in 0..<threads {
                group.enter()
                Thread {
                    for i in 0..<iterations { body(i) }
                    group.leave()
                }.start()
            }
            group.wait()
        }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    print("  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %9.1f ns/op", best))
}
