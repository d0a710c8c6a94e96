import Foundation
import Testing
@testable import Pismo

/// `pismo processor` started the way a container or service manager starts it: a working directory
/// without `./schema`, the envelope named by `PISMO_SCHEMA`. It used to exit 2 with "schema
/// directory not found".
@Suite(.timeLimit(.minutes(2)))
struct ProcessorOutsideTheRepositoryOnMotoTests {
    @Test func startsAndDrainsOnSigterm() async throws {
        let processor = try await startProcessor()
        #expect(await processor.terminate() == 0, "drains and exits 0 on SIGTERM: \(processor.output)")
    }

    /// The operator insists: a second SIGTERM while the processor drains (its 20 s long poll is still
    /// in flight) ends the process at once.
    @Test func aSecondSignalWhileDrainingExitsAtOnce() async throws {
        let processor = try await startProcessor()
        kill(processor.process.processIdentifier, SIGTERM)
        try await eventually("the processor starts draining", within: .seconds(10)) {
            processor.output.contains("draining") || !processor.process.isRunning
        }
        let signalled = ContinuousClock.now
        kill(processor.process.processIdentifier, SIGTERM)
        let status = await processor.exitStatus(within: .seconds(10))
        #expect(status == 130, "\(processor.output)")
        #expect(ContinuousClock.now - signalled < .seconds(5))
    }

    private func startProcessor() async throws -> PismoProcess.Running {
        let moto = try await MotoServer.shared()
        let tag = UInt32.random(in: 0...UInt32.max)
        let settings = PismoSettings.unique(tag)
        try await Provisioning(aws: PismoAWS(context: moto.context()), settings: settings, log: { _ in }).run()
        var env = PismoProcess.environment(moto: moto, settings: settings)
        env["PISMO_SCHEMA"] = PismoProcess.repositoryRoot + "/schema/event_schema.json"
        env["PISMO_SCHEMA_DIR"] = nil
        let cwd = try PismoProcess.emptyDirectory()
        let processor = try PismoProcess.Running(["processor", "--pollers", "1"], cwd: cwd, env: env, log: cwd + "/processor.log")
        do {
            try await eventually("the processor starts", within: .seconds(30)) {
                processor.output.contains("processor started") || !processor.process.isRunning
            }
        } catch {
            _ = await processor.terminate()
            throw error
        }
        #expect(processor.process.isRunning, "exited early: \(processor.output)")
        #expect(!processor.output.contains("cannot load schemas"))
        return processor
    }
}
