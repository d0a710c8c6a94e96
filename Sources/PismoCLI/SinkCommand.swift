import ArgumentParser
import Foundation
import Logging
import Pismo

struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Run the mock webhook sink: 200 to every POST, with optional logging and failure injection.",
        discussion: """
            GET /stats returns JSON counters. --log writes one JSON line per request (time, time_unix,
            method, path, webhook_id, webhook_timestamp, webhook_signature, bytes, body). Stops on
            SIGTERM/SIGINT after finishing in-flight requests.
            """
    )

    @Option(help: "Listen address host:port (env PISMO_SINK_ADDR, default 0.0.0.0:8080).") var addr: String?
    @Option(help: "Append one JSON line per request to this file.") var log: String?
    @Option(help: "Fraction of POSTs (0...1) answered with --fail-status instead of 200.") var failRate: Double = 0
    @Option(help: "Status code for injected failures.") var failStatus: Int = 500
    @Option(help: "Delay every response by this many milliseconds.") var delayMs: Int = 0

    func validate() throws {
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        guard (100...599).contains(failStatus) else { throw ValidationError("--fail-status must be an HTTP status (100-599)") }
        guard delayMs >= 0 else { throw ValidationError("--delay-ms must not be negative") }
    }

    func run() async throws {
        let settings: PismoSettings
        do { settings = try PismoSettings.fromEnvironment(ProcessInfo.processInfo.environment) } catch { throw ValidationError(error.description) }
        let address = addr ?? settings.sinkAddress ?? "0.0.0.0:8080"
        var options = MockSink.Options()
        do {
            (options.host, options.port) = try MetricsEndpoint.parseAddress(address)
        } catch {
            throw ValidationError("\(error)")
        }
        options.logPath = log
        options.failRate = failRate
        options.failStatus = failStatus
        options.delay = .milliseconds(delayMs)
        let sink = try await MockSink.start(options)
        let listening = "pismo sink listening on \(options.host):\(sink.port)\n"
        try await ServiceHost.run(logger: Logger(label: "pismo.sink")) { shutdown in
            FileHandle.standardError.write(Data(listening.utf8))  // once SIGTERM is handled
            await shutdown.wait()
            await sink.shutdown()
        }
    }
}
