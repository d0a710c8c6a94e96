import ArgumentParser
import Foundation
import Pismo

/// Flags shared by every AWS-facing subcommand. Each overrides its environment variable, which
/// overrides the default (see `PismoSettings`).
struct SettingsOptions: ParsableArguments {
    @Option(help: "Events queue name or URL (env PISMO_EVENTS_QUEUE, default events).")
    var eventsQueue: String?
    @Option(help: "Queue for invalid events (env PISMO_EVENTS_DLQ, default events-dlq).")
    var eventsDlq: String?
    @Option(help: "Queue for undeliverable events (env PISMO_DELIVER_DLQ, default deliver-dlq).")
    var deliverDlq: String?
    @Option(help: "Events table (env PISMO_EVENTS_TABLE, default Events).")
    var eventsTable: String?
    @Option(help: "Routes table (env PISMO_ROUTES_TABLE, default routes).")
    var routesTable: String?
    @Option(help: "Shard leases table (env PISMO_LEASES_TABLE, default pismo-leases).")
    var leasesTable: String?
    @Option(help: "Attempt log table (env PISMO_ATTEMPTS_TABLE, default pismo-attempts).")
    var attemptsTable: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env PISMO_LOG_LEVEL, default info).")
    var logLevel: String?

    /// The effective settings: environment over defaults, flags over environment.
    func resolve() throws -> PismoSettings {
        var s: PismoSettings
        do {
            s = try PismoSettings.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
        if let eventsQueue { s.eventsQueue = eventsQueue }
        if let eventsDlq { s.eventsDLQ = eventsDlq }
        if let deliverDlq { s.deliverDLQ = deliverDlq }
        if let eventsTable { s.eventsTable = eventsTable }
        if let routesTable { s.routesTable = routesTable }
        if let leasesTable { s.leasesTable = leasesTable }
        if let attemptsTable { s.attemptsTable = attemptsTable }
        if let logLevel { s.logLevel = logLevel }
        return s
    }
}
