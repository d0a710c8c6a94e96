import ArgumentParser
import Foundation
import Pismo

struct RedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Send dead letters back through the pipeline.",
        discussion: """
            redrive events-dlq: moves every message back to the events queue (after fixing the
            producer or the schema); pismo-* attributes are dropped.
            redrive deliver-dlq: re-attempts delivery of each dead letter once; removes only what was
            delivered and leaves the rest in place. A letter carrying a reference (pismo-body:
            reference, for a payload too large for SQS) is delivered with the payload read back from
            the Events table.
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Argument(help: "events-dlq | deliver-dlq") var queue: String
    @Option(help: "events-dlq only: move just the dead letters whose pismo-error has this code (e.g. schema, unknown-event-type).")
    var code: String?

    func validate() throws {
        guard ["events-dlq", "deliver-dlq"].contains(queue) else { throw ValidationError("QUEUE must be events-dlq or deliver-dlq") }
        if let code {
            guard queue == "events-dlq" else { throw ValidationError("--code applies to events-dlq") }
            guard DeadLetterCode(rawValue: code) != nil else {
                throw ValidationError("unknown --code '\(code)': one of \(DeadLetterCode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        let settings = try settingsOptions.resolve()
        let wiring = CommandRuntime.start(settings)
        let aws = wiring.aws
        let tools = QueueTools(aws: aws)
        if queue == "events-dlq" {
            let moved = try await tools.move(from: try await aws.queueURL(settings.eventsDLQ), to: try await aws.queueURL(settings.eventsQueue),
                                             code: code.flatMap(DeadLetterCode.init(rawValue:))) {
                FileHandle.standardError.write(Data("\rmoved \($0)".utf8))
            }
            print("\nmoved \(moved) message\(moved == 1 ? "" : "s") from \(settings.eventsDLQ) to \(settings.eventsQueue)")
            return
        }
        let engine = try await wiring.deliveryEngine(cachedRoutes: false)
        let (delivered, remaining) = try await tools.redeliver(queueURL: try await aws.queueURL(settings.deliverDLQ), engine: engine,
                                                               events: wiring.storedEvents) {
            FileHandle.standardError.write(Data("\rdelivered \($0), still failing \($1)".utf8))
        }
        await wiring.drainAttemptLog()  // the attempts just made, still buffered
        print("\ndelivered \(delivered); \(remaining) left in \(settings.deliverDLQ)")
    }
}
