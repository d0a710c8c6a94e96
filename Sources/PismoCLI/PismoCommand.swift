import ArgumentParser
import Foundation

@main
struct PismoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pismo",
        abstract: "Pismo: a multi-tenant event pipeline (SQS -> JSON Schema -> DynamoDB -> Streams -> webhooks).",
        discussion: "Every subcommand has --help. Configuration comes from PISMO_* and AWS_* variables (see README).",
        subcommands: [
            ProcessorCommand.self, DeliverCommand.self, InitCommand.self, RoutesCommand.self, SendCommand.self,
            PeekCommand.self, RedriveCommand.self, ReplayCommand.self, AttemptsCommand.self, ValidateCommand.self, SinkCommand.self,
        ]
    )

    /// Runs the chosen subcommand. Usage errors exit 2 (the Unix convention our operators and
    /// `pismo validate` promise), not swift-argument-parser's 64; `--help` still exits 0.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
