import ArgumentParser
import Foundation
import Pismo

struct AttemptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attempts",
        abstract: "Show a client's webhook attempts from the attempt log: when, which endpoint, what it answered.",
        discussion: """
            Reads the attempts table (PISMO_ATTEMPTS_TABLE, default pismo-attempts): one row per \
            webhook attempt with its time, event, endpoint, attempt number, HTTP status or error, \
            latency and the first 1 KB of the response body. Shows the newest --limit matches, \
            oldest first. Items expire PISMO_ATTEMPT_LOG_DAYS (30) days after the attempt.

            What is there depends on PISMO_ATTEMPT_LOG where deliver runs: failures (the default) \
            keeps every failed attempt and the retry that finally delivered, but nothing for an \
            event delivered at its first attempt; all keeps every attempt; off keeps none.

            Times: RFC 3339 (2026-12-01T09:00:00Z) or a span before now (90m, 2h, 3d). --since \
            narrows the Query itself; --event and --failed filter what it reads.

            Examples:
              pismo attempts acme --since 2h
              pismo attempts acme --event 7f3c0b9e-4d1a-4c55-9b0e-2f1d8e6a4b21
              pismo attempts acme --failed --limit 200 --json
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Argument(help: ArgumentHelp("The client whose attempts to show.", valueName: "client-id"))
    var client: String
    @Option(help: ArgumentHelp("Only this event's attempts.", valueName: "event-id"))
    var event: String?
    @Option(help: ArgumentHelp("Only attempts made at or after this time (RFC 3339, or a span before now: 2h).", valueName: "time"))
    var since: String?
    @Flag(help: "Only attempts that did not deliver.")
    var failed = false
    @Option(help: "Show at most this many (the newest).")
    var limit = 50
    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    func selection() throws -> DynamoDBAttemptHistory.Selection {
        var sinceMillis: Int64?
        if let since {
            do { sinceMillis = try ReplayTime.parse(since) } catch { throw ValidationError(error.description) }
        }
        return DynamoDBAttemptHistory.Selection(clientID: client, sinceMillis: sinceMillis, eventID: event,
                                                failedOnly: failed, limit: limit)
    }

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        _ = try selection()
    }

    func run() async throws {
        let settings = try settingsOptions.resolve()
        let aws = CommandRuntime.start(settings).aws
        let records: [AttemptRecord]
        do {
            records = try await DynamoDBAttemptHistory(dynamo: aws.dynamo, table: settings.attemptsTable).attempts(try selection())
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            CommandRuntime.fail("table \(settings.attemptsTable) does not exist: run `pismo init`")
        }
        if json {
            for record in records { print(AttemptListing.jsonLine(record)) }
            return
        }
        guard !records.isEmpty else {
            print("no attempts found for \(client) in \(settings.attemptsTable)"
                  + (settings.attemptLog == .failures ? " (PISMO_ATTEMPT_LOG=failures: an event delivered at its first attempt leaves no row)" : ""))
            return
        }
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
        for line in AttemptListing.table(records, width: width) { print(line) }
        let failures = records.filter { !$0.delivered }.count
        print("\(records.count) attempt\(records.count == 1 ? "" : "s"), \(failures) failed"
              + (records.count == limit ? " (the newest \(limit); --limit for more)" : ""))
    }
}
