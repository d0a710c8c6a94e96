import ArgumentParser
import Foundation
import Pismo

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create Pismo's queues and tables (idempotent) and optionally seed routes.",
        discussion: """
            Creates, when missing: the queues events-dlq, deliver-dlq, deliver-retry (the durable retry
            queue) and events (with a RedrivePolicy of maxReceiveCount 5 to events-dlq, visibility 30 s),
            the Events table (client_id + event_key, stream NEW_IMAGE), routes, pismo-leases and
            pismo-attempts (TTL on expires_at). The dead-letter and retry queues keep messages 14 days
            (SQS's maximum), existing ones included. Safe to run again at any time; run it after
            upgrading. --describe prints all of that as JSON without calling AWS (the deployment check
            compares it with deploy/cloudformation/pismo.yaml).
            """
    )

    @OptionGroup var settingsOptions: SettingsOptions

    @Option(name: .customLong("route"), help: "Seed a route: CLIENT=URL (repeatable).")
    var routes: [String] = []

    @Flag(help: "Print what init creates (queues, tables, their settings) as JSON, and create nothing.")
    var describe = false

    func run() async throws {
        let settings = try settingsOptions.resolve()
        if describe {
            print(ProvisioningPlan.of(settings).json)
            return
        }
        let seeds = try routes.map { spec -> (String, String) in
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw ValidationError("--route expects CLIENT=URL, got '\(spec)'")
            }
            let (client, url) = (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
            try RouteAdmin.validate(url: url, secret: nil)
            return (client, url)
        }
        let aws = CommandRuntime.start(settings).aws
        try await Provisioning(aws: aws, settings: settings, log: { print($0) }).run()
        let admin = RouteAdmin(aws: aws, table: settings.routesTable)
        for (client, url) in seeds {
            try await admin.set(client: client, url: url, secret: nil)
            print("route \(client) -> \(url)")
            if let warning = await RouteDestinationCheck.warning(url: url, policy: settings.webhookDestinationPolicy) {
                FileHandle.standardError.write(Data("pismo: \(warning)\n".utf8))
            }
        }
    }
}
