import Foundation
@testable import Pismo

/// The `pismo` binary built beside the tests, run as an operator runs it: its own working
/// directory and environment, standard input fed, bounded in time.
enum PismoProcess {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pismo").path
    }

    static var repositoryRoot: String { FileManager.default.currentDirectoryPath }

    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `pismo ARGS` to completion (killed after `limit`), returning its exit status and its
    /// stdout and stderr together.
    static func run(_ arguments: [String], cwd: String, env: [String: String], stdin: String = "",
                    limit: Duration = .seconds(30)) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Result(status: process.terminationStatus, output: text)
    }

    /// The environment a child `pismo` gets to run against moto with `settings`' queues and tables
    /// (inheriting ours otherwise); its metrics endpoint on a port the kernel picks.
    static func environment(moto: MotoServer, settings: PismoSettings) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["AWS_ENDPOINT_URL"] = moto.endpoint
        env["AWS_REGION"] = "us-east-1"
        env["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey
        env["PISMO_EVENTS_QUEUE"] = settings.eventsQueue
        env["PISMO_EVENTS_DLQ"] = settings.eventsDLQ
        env["PISMO_DELIVER_DLQ"] = settings.deliverDLQ
        env["PISMO_EVENTS_TABLE"] = settings.eventsTable
        env["PISMO_ROUTES_TABLE"] = settings.routesTable
        env["PISMO_LEASES_TABLE"] = settings.leasesTable
        env["PISMO_RETRY_QUEUE"] = settings.retryQueue
        env["PISMO_WEBHOOK_ALLOW_NETS"] = settings.webhookAllowNets.map(\.description).joined(separator: ",")
        env["PISMO_ATTEMPTS_TABLE"] = settings.attemptsTable
        env["PISMO_METRICS_ADDR"] = "127.0.0.1:0"
        return env
    }

    /// An empty temporary directory: a working directory with no `./schema` in it.
    static func emptyDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pismo-cwd-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

extension PismoProcess {
    /// A long-lived `pismo` service, its output collected in `log`.
    final class Running: @unchecked Sendable {
        let process = Process()
        let log: String

        init(_ arguments: [String], cwd: String, env: [String: String], log: String) throws {
            self.log = log
            process.executableURL = URL(fileURLWithPath: PismoProcess.binary)
            process.arguments = arguments
            process.environment = env
            process.currentDirectoryURL = URL(fileURLWithPath: cwd)
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// SIGTERM, then the exit status (the services promise to drain and exit 0).
        func terminate(within limit: Duration = .seconds(30)) async -> Int32 {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            return await exitStatus(within: limit)
        }

        /// The exit status once the process ends by itself; SIGKILLed and -1 after `limit`.
        func exitStatus(within limit: Duration) async -> Int32 {
            let deadline = ContinuousClock.now + limit
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return -1 }
            return process.terminationStatus
        }
    }
}
