import ArgumentParser
import Foundation
import Pismo

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-deliver stored events from the Events table through the retry queue.",
        discussion: """
            Selects events by when Pismo received them (received_at in [--since, --until)) and, \
            optionally, by client and event type, and puts one retry message (attempt 1, due now) \
            per event in the retry queue; a running `pismo deliver` delivers them as any retry \
            (circuit breaker, backoff, deliver-dlq). Nothing is delivered by this command itself.

            Times: RFC 3339 (2026-12-01T09:00:00Z, 2026-12-01T11:00:00+02:00) or a span before \
            now (90m, 2h, 3d).

            With --client: one Query on that client's partition. Without: a parallel Scan of the \
            whole table (--segments parts at once).

            Safe to interrupt and run again: a second run sends the whole selection again. Every \
            attempt of an event carries the same webhook-id, so receivers that deduplicate see it once.

            Examples:
              pismo replay --since 2026-12-01T00:00:00Z --client acme --dry-run
              pismo replay --since 2h --event-type order.created
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions
    @Option(help: ArgumentHelp("Replay events received at or after this time (RFC 3339, or a span before now: 2h).", valueName: "time"))
    var since: String
    @Option(help: ArgumentHelp("Replay events received before this time (default: now).", valueName: "time"))
    var until: String?
    @Option(help: ArgumentHelp("Only this client's events (one Query instead of a Scan).", valueName: "client-id"))
    var client: String?
    @Option(help: ArgumentHelp("Only events of this event_type.", valueName: "type"))
    var eventType: String?
    @Option(help: "Parts of the table scanned at once when no --client is given (1-64).")
    var segments = 4
    @Flag(help: "Count the matching events without sending anything.")
    var dryRun = false
    @Option(help: "Retry queue name or URL (env PISMO_RETRY_QUEUE, default deliver-retry).")
    var retryQueue: String?

    func selection() throws -> EventReplay.Selection {
        let now = Date()
        let selection: EventReplay.Selection
        do {
            selection = EventReplay.Selection(fromMillis: try ReplayTime.parse(since, now: now),
                                              untilMillis: try until.map { try ReplayTime.parse($0, now: now) },
                                              clientID: client, eventType: eventType)
            try EventReplay.check(selection)
        } catch let error as ReplayTime.ParseError {
            throw ValidationError(error.description)
        } catch let error as EventReplay.SelectionError {
            throw ValidationError(error.description)
        }
        return selection
    }

    func validate() throws {
        guard (1...64).contains(segments) else { throw ValidationError("--segments must be between 1 and 64") }
        _ = try selection()
    }

    func run() async throws {
        var settings = try settingsOptions.resolve()
        if let retryQueue { settings.retryQueue = retryQueue }
        let selection = try selection()
        let wiring = CommandRuntime.start(settings)
        var resender = wiring.storedEventResender
        resender.segments = segments
        let onTerminal = isatty(STDERR_FILENO) == 1
        let verb = dryRun ? "matched" : "sent"
        describe(selection, settings: settings)
        do {
            let count = try await EventReplay(resender: resender).run(selection, dryRun: dryRun) { count in
                if onTerminal { FileHandle.standardError.write(Data("\r\(verb) \(count)".utf8)) }
            }
            if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
            print(dryRun ? "\(count) event\(count == 1 ? "" : "s") match (dry run: nothing sent)"
                         : "\(count) event\(count == 1 ? "" : "s") sent to \(settings.retryQueue) for delivery")
        } catch {
            if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
            CommandRuntime.fail("replay stopped: \(error) (what was sent stays queued; run the same command again to resend the whole selection)")
        }
    }

    private func describe(_ selection: EventReplay.Selection, settings: PismoSettings) {
        var parts = ["received from \(UTCTime.iso8601(millisecondsSince1970: selection.fromMillis))"]
        parts.append("until \(selection.untilMillis.map { UTCTime.iso8601(millisecondsSince1970: $0) } ?? "now")")
        if let client = selection.clientID { parts.append("client \(client)") }
        if let type = selection.eventType { parts.append("event type \(type)") }
        FileHandle.standardError.write(Data("replaying events in \(settings.eventsTable) \(parts.joined(separator: ", "))\n".utf8))
    }
}
