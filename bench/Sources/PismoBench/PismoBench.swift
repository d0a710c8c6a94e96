// pismo-bench: HTTP load generator on Pismo's own client (keep-alive pool, epoll loop, TLS).
//
// Closed loop by default: each of --conns workers sends its next POST as soon as the previous answer
// arrives. With --rate the load is open loop, like wrk2: request k of a worker is *due* at
// start + k * conns / rate whatever happened before, and latency is measured from that due time, so
// a stall is charged to every request it delayed (no coordinated omission).
// --api picks the client API the workers use: `loop` (completion callbacks on the event loop, the
// way wrk drives its connections) or `async` (one task per worker awaiting `execute`).
// The last line is exactly `rps=<float> p50_us=<int> p99_us=<int>`.
import ArgumentParser
import Foundation
import Histogram
import Synchronization
import Transport

@main
struct PismoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pismo-bench",
        abstract: "Load an HTTP endpoint with keep-alive POSTs from Pismo's own client and report throughput and latency."
    )

    @Option(help: "Target URL (http:// or https://).") var url: String
    @Option(help: "Concurrent connections (one worker each).") var conns: Int = 16
    @Option(help: "Duration in seconds.") var secs: Double = 10
    @Option(help: "POST body size in bytes.") var bodyBytes: Int = 512
    @Option(help: "Open-loop total request rate per second (omit for closed loop).") var rate: Double?
    @Option(help: "Client API the workers use: loop (completion callbacks on the event loop) or async (a task per worker).")
    var api: API = .loop
    @Option(help: "Extra CA file to trust for https (the system store and SSL_CERT_FILE/SSL_CERT_DIR apply too).") var cacert: String?

    enum API: String, ExpressibleByArgument, CaseIterable { case loop, async }

    func validate() throws {
        guard conns >= 1, secs > 0, bodyBytes >= 0 else { throw ValidationError("--conns >= 1, --secs > 0, --body-bytes >= 0") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ValidationError("--url must be http:// or https://") }
    }

    func run() async throws {
        var config = HTTPClient.Configuration()
        config.maxConnectionsPerHost = conns
        config.decompressResponses = false
        config.tls.additionalTrustedCAFile = cacert
        // One loop for the pool and the workers: the load generator is pinned to one core anyway,
        // and workers bound to the pool's loop resume there without a thread hop per request.
        let group = try EventLoopGroup(threads: 1)
        let loop = group.loops[0]
        let client = HTTPClient(group: group, configuration: config)
        let body = Array(repeating: UInt8(ascii: "x"), count: bodyBytes)
        let request = HTTPRequest(method: "POST", url: url, headers: HTTPHeaders([("content-type", "application/json")]), body: body)
        let prepared = try client.prepare(request)   // formatted once, as wrk does

        // Warm up: open every connection before the clock starts.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<conns { group.addTask { _ = try await client.execute(request, timeout: .seconds(10)) } }
            try await group.waitForAll()
        }

        let start = ContinuousClock.now
        let end = start.advanced(by: .seconds(secs))
        let interval: Duration? = rate.map { .seconds(Double(conns) / $0) }
        let api = self.api
        let results = await withTaskGroup(of: WorkerResult.self) { group in
            for worker in 0..<conns {
                let offset = interval.map { $0 * Double(worker) / Double(conns) } ?? .zero
                let schedule = Schedule(end: end, interval: interval, due: start.advanced(by: offset))
                group.addTask(executorPreference: loop) {
                    switch api {
                    case .loop: await LoopWorker(client: client, request: prepared, loop: loop, schedule: schedule).run()
                    case .async: await AsyncWorker.run(client: client, request: request, schedule: schedule)
                    }
                }
            }
            var total = WorkerResult()
            for await result in group { total.merge(result) }
            return total
        }
        let elapsed = (ContinuousClock.now - start).seconds
        if results.errors > 0 { FileHandle.standardError.write(Data("errors: \(results.errors) (first: \(results.firstError ?? ""))\n".utf8)) }
        if results.non2xx > 0 { FileHandle.standardError.write(Data("non-2xx responses: \(results.non2xx)\n".utf8)) }
        let rps = Double(results.completed) / elapsed
        print("requests=\(results.completed) errors=\(results.errors) secs=\(String(format: "%.2f", elapsed)) conns=\(conns)")
        print(String(format: "rps=%.1f p50_us=%d p99_us=%d", rps,
                     Int(results.latency.valueAtPercentile(50)), Int(results.latency.valueAtPercentile(99))))
        client.shutdown()
    }
}
