import ArgumentParser
import Foundation
import Pismo

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Manage client webhook routes (the routes table).",
        subcommands: [Set.self, List.self, Delete.self, Enable.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a client's route.")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id (as in the events' client_id).") var client: String
        @Argument(help: "Webhook URL (http:// or https://).") var url: String
        @Option(help: "Signing secret, whsec_<base64>: requests then carry webhook-signature.") var secret: String?

        func validate() throws {
            do { try RouteAdmin.validate(url: url, secret: secret) } catch { throw ValidationError("\(error)") }
        }

        func run() async throws {
            let settings = try settingsOptions.resolve()
            let aws = CommandRuntime.start(settings).aws
            try await RouteAdmin(aws: aws, table: settings.routesTable).set(client: client, url: url, secret: secret)
            print("route \(client) -> \(url)\(secret == nil ? "" : " (signed)")")
            if let warning = await RouteDestinationCheck.warning(url: url, policy: settings.webhookDestinationPolicy) {
                FileHandle.standardError.write(Data("pismo: \(warning)\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every route (secrets are not shown).")
        @OptionGroup var settingsOptions: SettingsOptions

        func run() async throws {
            let settings = try settingsOptions.resolve()
            let aws = CommandRuntime.start(settings).aws
            let routes = try await RouteAdmin(aws: aws, table: settings.routesTable).list()
            if routes.isEmpty { print("no routes") }
            for (client, route) in routes {
                var state = route.disabledAt.map { "DISABLED since \($0): \(route.disabledReason ?? "")" } ?? "enabled"
                if route.disabledAt == nil, let since = route.failingSinceMillis {
                    state += ", failing since \(UTCTime.iso8601(millisecondsSince1970: since))"
                }
                print("\(client)\t\(route.url)\t\(route.secret == nil ? "unsigned" : "signed")\t\(state)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client's route (its events then go to deliver-dlq).")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id.") var client: String

        func run() async throws {
            try await RoutesCommand.change(client, settingsOptions, done: "deleted route \(client)") { try await $0.delete(client: $1) }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled route (after 410 Gone or PISMO_DISABLE_AFTER of failures); then redrive deliver-dlq.")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id.") var client: String

        func run() async throws {
            try await RoutesCommand.change(client, settingsOptions, done: "route \(client) enabled (redrive deliver-dlq to deliver what it missed)") {
                try await $0.enable(client: $1)
            }
        }
    }

    /// Applies `change` to one client's route: prints `done`, or fails naming the client when it has none.
    static func change(_ client: String, _ options: SettingsOptions, done: String,
                       _ change: (RouteAdmin, String) async throws -> Bool) async throws {
        let settings = try options.resolve()
        let aws = CommandRuntime.start(settings).aws
        guard try await change(RouteAdmin(aws: aws, table: settings.routesTable), client) else {
            CommandRuntime.fail("no route for client \(client)")
        }
        print(done)
    }
}
