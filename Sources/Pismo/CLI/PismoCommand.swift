import ArgumentParser

@main
struct PismoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pismo",
        abstract: "Pismo: a multi-tenant event pipeline (SQS -> JSON Schema -> DynamoDB -> Streams -> webhooks).",
        subcommands: [ValidateCommand.self, SinkCommand.self]
    )
}
