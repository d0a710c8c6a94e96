import ArgumentParser
import Foundation
import Pismo

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Put events (JSON lines) on the events queue.",
        discussion: """
            Reads one JSON event per line from each FILE, or from stdin when no FILE is given, and
            sends them as they are (the processor validates them). With --generate N, sends N sample
            events from several producers spread over --clients K clients instead.
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Argument(help: "Files of JSON lines (default: stdin).") var files: [String] = []
    @Option(help: "Send N generated sample events instead of reading input.") var generate: Int?
    @Option(help: "Spread generated events over K clients (client-1 ... client-K).") var clients: Int = 5
    @Option(help: "With --generate: pace sending at R events per second (batches of 10), stamping each batch's event_time as it is sent.") var rate: Double?

    func validate() throws {
        if let generate, generate < 1 { throw ValidationError("--generate must be at least 1") }
        if clients < 1 { throw ValidationError("--clients must be at least 1") }
        if generate != nil && !files.isEmpty { throw ValidationError("give either FILEs or --generate, not both") }
        // At least one event in 1000 s: a smaller rate made the first pause infinite, and Duration traps on that.
        if let rate, !(rate >= 0.001 && rate.isFinite) || generate == nil {
            throw ValidationError("--rate needs --generate and a rate of at least 0.001 events/s")
        }
    }

    func run() async throws {
        let settings = try settingsOptions.resolve()
        let aws = CommandRuntime.start(settings).aws
        let sender = EventSender(aws: aws, queueURL: try await aws.queueURL(settings.eventsQueue))
        if let rate, let generate { return try await sendPaced(sender, count: generate, rate: rate) }
        let lines = try readLines()
        let showProgress = lines.count >= 100
        let report = try await sender.send(lines) { sent in
            if showProgress { FileHandle.standardError.write(Data("\rsent \(sent)/\(lines.count)".utf8)) }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        print("sent \(report.sent) event\(report.sent == 1 ? "" : "s")")
        for failure in report.failed { FileHandle.standardError.write(Data("line \(failure.line): \(failure.reason)\n".utf8)) }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }

    /// Open-loop pacing: batch k leaves at start + k·10/rate whatever the previous batch took.
    private func sendPaced(_ sender: EventSender, count: Int, rate: Double) async throws {
        let generator = EventGenerator(clients: clients)
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        for first in stride(from: 0, to: count, by: 10) {
            try await clock.sleep(until: start.advanced(by: .seconds(Double(first) / rate)))
            let report = try await sender.send(generator.events(first..<min(first + 10, count)))
            sent += report.sent
            for failure in report.failed { FileHandle.standardError.write(Data("event \(first + failure.line): \(failure.reason)\n".utf8)) }
        }
        print("sent \(sent) events at \(rate) events/s")
    }

    private func readLines() throws -> [String] {
        if let generate { return EventGenerator(clients: clients).events(generate) }
        if files.isEmpty {
            var lines: [String] = []
            while let line = readLine(strippingNewline: true) { lines.append(line) }
            return lines
        }
        return try files.flatMap { path -> [String] in
            guard let text = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
