import Foundation
import Testing
import Transport
@testable import Pismo

/// The real binaries end to end: `pismo init`, `pismo sink`, `pismo processor`, `pismo deliver` as
/// processes against moto (signatures checked), 20 clients with signing secrets, and both services
/// SIGTERMed mid-flow and restarted. Every event must reach the sink byte-identical with a valid
/// signature, nothing may be left in the queue, and no valid event may be dead-lettered.
@Suite("Processes end to end", .serialized, .timeLimit(.minutes(4)))
struct ProcessesEndToEndTests {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pismo").path
    }

    final class Child: @unchecked Sendable {
        let process = Process()
        init(_ arguments: [String], env: [String: String], log: String) throws {
            process.executableURL = URL(fileURLWithPath: ProcessesEndToEndTests.binary)
            process.arguments = arguments
            process.environment = env
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }
        /// SIGTERM, then the exit status (the services promise exit 0 within 30 s).
        func terminate() async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<600 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); return -1 }
            return process.terminationStatus
        }
    }

    @Test func signedEventsForTwentyClientsSurviveSigtermAndRestart() async throws {
        let moto = try await MotoServer.shared()
        let tag = UInt32.random(in: 0...UInt32.max)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pismo-e2e-\(tag)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var env = PismoProcess.environment(moto: moto, settings: PismoSettings.unique(tag))
        env["PISMO_RETRY_BASE_MS"] = "50"

        // Port 0: the sink binds a port the kernel picks and reports it. Probing a free port first and
        // passing it in would race another test's SO_REUSEPORT listener for the same port.
        let sink = try Child(["sink", "--addr", "127.0.0.1:0", "--log", "\(dir)/sink.jsonl"], env: env, log: "\(dir)/sink.log")
        let sinkPort = try await listeningPort(in: "\(dir)/sink.log")
        let secrets = (1...20).map { _ in "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
        let initArgs = ["init"] + (1...20).flatMap { ["--route", "client-\($0)=http://127.0.0.1:\(sinkPort)/c\($0)"] }
        let initRun = try Child(initArgs, env: env, log: "\(dir)/init.log")
        initRun.process.waitUntilExit()
        #expect(initRun.process.terminationStatus == 0)
        for (i, secret) in secrets.enumerated() {
            let set = try Child(["routes", "set", "client-\(i + 1)", "http://127.0.0.1:\(sinkPort)/c\(i + 1)", "--secret", secret],
                                env: env, log: "\(dir)/routes.log")
            set.process.waitUntilExit()
        }

        var processor = try Child(["processor", "--pollers", "4"], env: env, log: "\(dir)/processor-1.log")
        var deliver = try Child(["deliver", "--lease-seconds", "6"], env: env, log: "\(dir)/deliver-1.log")

        let events = EventGenerator(clients: 20, seed: UInt64(tag)).events(300)
        func send(_ slice: ArraySlice<String>, _ name: String) throws {
            try slice.joined(separator: "\n").write(toFile: "\(dir)/\(name).jsonl", atomically: true, encoding: .utf8)
            let send = try Child(["send", "\(dir)/\(name).jsonl"], env: env, log: "\(dir)/\(name).log")
            send.process.waitUntilExit()
            #expect(send.process.terminationStatus == 0)
        }
        try send(events[..<150], "first-half")

        // Mid-flow: stop both services while events are moving, send the rest while they are down,
        // then start them again: the restarted pair must finish the job.
        try await waitForSinkLines(dir, atLeast: 30)
        #expect(await processor.terminate() == 0, "processor exits 0 on SIGTERM")
        #expect(await deliver.terminate() == 0, "deliver exits 0 on SIGTERM")
        try send(events[150...], "second-half")
        processor = try Child(["processor", "--pollers", "4"], env: env, log: "\(dir)/processor-2.log")
        deliver = try Child(["deliver", "--lease-seconds", "6"], env: env, log: "\(dir)/deliver-2.log")

        try await waitForDistinctEvents(dir, count: events.count)
        let records = try sinkRecords(dir)
        var byID: [String: [String: Any]] = [:]
        for record in records {
            let body = record["body"] as? String ?? ""
            #expect(events.contains(body), "delivered body is byte-identical to a sent event")
            let id = record["webhook_id"] as? String ?? ""
            let timestamp = Int(record["webhook_timestamp"] as? String ?? "") ?? 0
            let client = Int((record["path"] as? String ?? "").dropFirst(2)) ?? 0
            let expected = try WebhookSigner(secret: secrets[client - 1]).signature(id: id, timestamp: timestamp, body: Array(body.utf8))
            #expect(record["webhook_signature"] as? String == expected, "signature checks out with the client's own secret")
            byID[id] = record
        }
        #expect(byID.count == events.count, "every event delivered at least once")

        #expect(await processor.terminate() == 0)
        #expect(await deliver.terminate() == 0)
        _ = await sink.terminate()

        let aws = PismoAWS(context: moto.context())
        let tools = QueueTools(aws: aws)
        // The events queue has a redrive policy, so it is counted rather than received from.
        let left = try await aws.sqs.getQueueAttributes(queueURL: try await aws.queueURL("events-\(tag)"),
                                                        names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        #expect(left["ApproximateNumberOfMessages"] == "0" && left["ApproximateNumberOfMessagesNotVisible"] == "0", "nothing left behind")
        #expect(try await tools.peek(queueURL: try await aws.queueURL("deliver-dlq-\(tag)")).messages.isEmpty)
        #expect(try await tools.peek(queueURL: try await aws.queueURL("events-dlq-\(tag)")).messages.isEmpty)
    }

    func sinkRecords(_ dir: String) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: "\(dir)/sink.jsonl") else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }

    /// The port in the sink's "pismo sink listening on HOST:PORT" line.
    func listeningPort(in log: String) async throws -> Int {
        var port: Int?
        try await eventually("the sink reports its port", within: .seconds(30)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }),
                  let last = line.split(separator: ":").last else { return false }
            port = Int(last.trimmingCharacters(in: .whitespaces))
            return port != nil
        }
        return port!
    }

    /// Bounded waits that record their failure and return, so that the test still stops its
    /// child processes.
    func waitForSinkLines(_ dir: String, atLeast n: Int) async throws {
        do {
            try await eventually("the sink saw \(n) requests", within: .seconds(60)) { try sinkRecords(dir).count >= n }
        } catch let error as NotWithin {
            Issue.record(error)
        }
    }

    func waitForDistinctEvents(_ dir: String, count: Int) async throws {
        do {
            try await eventually("every event reached the sink", within: .seconds(120)) {
                Set(try sinkRecords(dir).compactMap { $0["webhook_id"] as? String }).count >= count
            }
        } catch let error as NotWithin {
            Issue.record(error)
        }
    }
}
