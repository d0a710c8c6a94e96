import ArgumentParser
import Dispatch
import Foundation
import Pismo

/// `pismo sink`: a mock webhook receiver for local runs, end-to-end tests and benchmarks.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Run a mock webhook receiver: 200 to every POST, GET /stats, optional failure injection.",
        discussion: """
            Every POST gets 200 (or --fail-status for a --fail-rate fraction of them, after
            --delay-ms). GET /stats returns {"requests","posts","failures_injected","bytes"}.
            --log FILE appends one JSON line per POST: time, method, path, status, webhook_id,
            bytes, and the body (`body`, or `body_base64` when it is not UTF-8).
            Stops cleanly on SIGTERM or SIGINT.
            """
    )

    @Option(help: "Listen address host:port (env PISMO_SINK_ADDR, default 0.0.0.0:8080).")
    var addr: String?

    @Option(help: "Append one JSON line per POST to this file.")
    var log: String?

    @Option(name: .customLong("fail-rate"), help: "Fraction of POSTs (0...1) answered with --fail-status.")
    var failRate: Double = 0

    @Option(name: .customLong("fail-status"), help: "Status for injected failures.")
    var failStatus: Int = 500

    @Option(name: .customLong("delay-ms"), help: "Delay before answering each POST, in milliseconds.")
    var delayMs: Int = 0

    func validate() throws {
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        guard (100...599).contains(failStatus) else { throw ValidationError("--fail-status must be an HTTP status") }
        guard delayMs >= 0 else { throw ValidationError("--delay-ms must not be negative") }
    }

    func run() async throws {
        let address = addr ?? ProcessInfo.processInfo.environment["PISMO_SINK_ADDR"] ?? "0.0.0.0:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ValidationError("invalid --addr \(address) (expected host:port)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let sink = try await MockSink.start(
            MockSinkOptions(host: host, port: port, logPath: log, failRate: failRate, failStatus: failStatus, delayMilliseconds: delayMs))
        print("pismo sink listening on \(host):\(sink.port)")
        fflush(nil)  // stdout is block-buffered when piped; a supervising script waits for this line
        await Self.waitForTerminationSignal()
        await sink.shutdown()
        let stats = sink.stats
        print("pismo sink stopped: \(stats.requests) requests, \(stats.posts) posts, \(stats.failuresInjected) failures injected")
    }

    /// Suspends until SIGTERM or SIGINT.
    static func waitForTerminationSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = SignalOnce(continuation)
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.fire() }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes the continuation on the first signal only. Thread-safe through its lock.
private final class SignalOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }

    func fire() {
        let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}
