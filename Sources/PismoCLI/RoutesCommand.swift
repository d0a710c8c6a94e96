import ArgumentParser
import Foundation
import Pismo

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Manage client webhook endpoints (the routes table).",
        discussion: """
            A client has one or more endpoints. Without --endpoint, commands act on the endpoint "default" \
            (the single-URL route; set, enable and delete on a client without --endpoint keep working as \
            before endpoints existed). Each event goes to every enabled endpoint whose --event-types filter \
            takes its type, each with its own retries, circuit breaker, rate limit and dead letters.
            """,
        subcommands: [Set.self, List.self, Delete.self, Enable.self, RotateSecret.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace one endpoint of a client (settings and health: it starts enabled).")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id (as in the events' client_id).") var client: String
        @Argument(help: "Webhook URL (http:// or https://).") var url: String
        @Option(help: "Endpoint id, unique within the client (A-Z a-z 0-9 - _ .; at most 64).") var endpoint = Endpoint.defaultID
        @Option(help: "Signing secret, whsec_<base64>: requests then carry webhook-signature. Visible in the process list: prefer --secret-file.")
        var secret: String?
        @Option(help: "Read the signing secret from this file ('-': standard input), so it never appears in the process list.")
        var secretFile: String?
        @Option(help: "Comma-separated event types this endpoint receives (default: every type).") var eventTypes: String?
        @Option(help: "At most this many requests per second to this endpoint (per deliver instance); a backlog waits in the retry queue.")
        var rate: Double?
        @Option(help: "This endpoint's attempt timeout in ms (100-120000; default PISMO_DELIVERY_TIMEOUT_MS).") var timeoutMs: Int64?
        @Option(help: "An extra request header, NAME=VALUE (repeatable; Pismo's own headers cannot be replaced).")
        var header: [String] = []

        func validate() throws {
            guard secret == nil || secretFile == nil else { throw ValidationError("give --secret or --secret-file, not both") }
            for pair in header where !pair.contains("=") { throw ValidationError("--header takes NAME=VALUE, got '\(pair)'") }
            do { try RouteAdmin.validate(makeEndpoint(secret: secret.map { [$0] } ?? [])) } catch { throw ValidationError("\(error)") }
        }

        func makeEndpoint(secret: [String]) throws -> Endpoint {
            var headers: [String: String] = [:]
            for pair in header {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                headers[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            let types = eventTypes.map { Swift.Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            return Endpoint(id: endpoint, url: url, secrets: secret, eventTypes: types, ratePerSecond: rate,
                            timeout: timeoutMs.map { .milliseconds($0) }, headers: headers)
        }

        func run() async throws {
            let secrets = try secretFile.map { [try RoutesCommand.readSecret(from: $0)] } ?? secret.map { [$0] } ?? []
            let settings = try settingsOptions.resolve()
            let aws = CommandRuntime.start(settings).aws
            let endpoint = try makeEndpoint(secret: secrets)
            try await RouteAdmin(aws: aws, table: settings.routesTable).set(client: client, endpoint: endpoint)
            print("route \(client)/\(endpoint.id) -> \(url)\(secrets.isEmpty ? "" : " (signed)")")
            if let warning = await RouteDestinationCheck.warning(url: url, policy: settings.webhookDestinationPolicy) {
                FileHandle.standardError.write(Data("pismo: \(warning)\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every endpoint: URL, filter, limits, state. Secrets show as fingerprints, never in full.")
        @OptionGroup var settingsOptions: SettingsOptions

        func run() async throws {
            let settings = try settingsOptions.resolve()
            let aws = CommandRuntime.start(settings).aws
            let routes = try await RouteAdmin(aws: aws, table: settings.routesTable).list()
            if routes.isEmpty { print("no routes") }
            let nowMillis = UTCTime.millisecondsSince1970(Date())
            for (client, route) in routes {
                for endpoint in route.endpoints {
                    print([client, endpoint.id, endpoint.url, RoutesCommand.describeFilter(endpoint),
                           RoutesCommand.describeSecrets(endpoint, nowMillis: nowMillis), RoutesCommand.describeState(endpoint)]
                        .joined(separator: "\t"))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a client's route, or one endpoint of it (its events then go to deliver-dlq or to the other endpoints).")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id.") var client: String
        @Option(help: "Delete only this endpoint (default: the whole route).") var endpoint: String?

        func run() async throws {
            let what = endpoint.map { "endpoint \(client)/\($0)" } ?? "route \(client)"
            try await RoutesCommand.change(client, endpoint, settingsOptions, done: "deleted \(what)") {
                try await $0.delete(client: client, endpoint: endpoint)
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled endpoint (after 410 Gone or PISMO_DISABLE_AFTER of failures); then redrive deliver-dlq.")
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id.") var client: String
        @Option(help: "Enable only this endpoint (default: every endpoint of the client).") var endpoint: String?

        func run() async throws {
            let what = endpoint.map { "endpoint \(client)/\($0)" } ?? "route \(client)"
            try await RoutesCommand.change(client, endpoint, settingsOptions,
                                           done: "\(what) enabled (redrive deliver-dlq to deliver what it missed)") {
                try await $0.enable(client: client, endpoint: endpoint)
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Give an endpoint a new signing secret; the old one keeps signing for --keep, then is dropped.",
            discussion: """
                During the overlap every request carries one signature per secret (webhook-signature: \
                "v1,<new> v1,<old>"), so the receiver can switch to the new secret at any time within it. \
                Prints the new secret once, on standard output: hand it to the receiver.
                """)
        @OptionGroup var settingsOptions: SettingsOptions
        @Argument(help: "Client id.") var client: String
        @Option(help: "The endpoint (default: \"default\").") var endpoint = Endpoint.defaultID
        @Option(help: "How long the previous secrets keep signing (ms, s, m, h, d).") var keep = "24h"
        @Option(help: "Read the new secret from this file ('-': standard input) instead of generating one.") var secretFile: String?

        func validate() throws {
            do { _ = try RetrySchedule.parseDuration(keep) } catch { throw ValidationError("--keep: \(error)") }
        }

        func run() async throws {
            let overlap = try RetrySchedule.parseDuration(keep)
            let secret = try secretFile.map(RoutesCommand.readSecret(from:))
            let settings = try settingsOptions.resolve()
            let aws = CommandRuntime.start(settings).aws
            guard let rotation = try await RouteAdmin(aws: aws, table: settings.routesTable)
                .rotateSecret(client: client, endpoint: endpoint, keep: overlap, secret: secret) else {
                CommandRuntime.fail("no endpoint \(client)/\(endpoint)")
            }
            print(rotation.secret)
            let note = rotation.previousUntil.map { "the previous secret signs until \(UTCTime.iso8601($0))" } ?? "there was no previous secret"
            FileHandle.standardError.write(Data("pismo: \(client)/\(endpoint) signs with \(SecretFingerprint.of(rotation.secret)); \(note)\n".utf8))
        }
    }

    /// Applies `change`: prints `done`, or fails naming what was missing.
    static func change(_ client: String, _ endpoint: String?, _ options: SettingsOptions, done: String,
                       _ change: (RouteAdmin) async throws -> Bool) async throws {
        let settings = try options.resolve()
        let aws = CommandRuntime.start(settings).aws
        guard try await change(RouteAdmin(aws: aws, table: settings.routesTable)) else {
            CommandRuntime.fail(endpoint.map { "no endpoint \(client)/\($0)" } ?? "no route for client \(client)")
        }
        print(done)
    }

    /// A secret from a file or standard input ("-"), surrounding whitespace removed.
    static func readSecret(from path: String) throws -> String {
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw ValidationError("no secret in \(path == "-" ? "standard input" : path)")
        }
        return text
    }

    static func describeFilter(_ endpoint: Endpoint) -> String {
        var parts = [endpoint.eventTypes.map { "types=" + $0.sorted().joined(separator: ",") } ?? "types=*"]
        if let rate = endpoint.ratePerSecond { parts.append("rate=\(rate)/s") }
        if let timeout = endpoint.timeout { parts.append("timeout=\(timeout)") }
        if !endpoint.headers.isEmpty { parts.append("headers=" + endpoint.headers.keys.sorted().joined(separator: ",")) }
        return parts.joined(separator: " ")
    }

    static func describeSecrets(_ endpoint: Endpoint, nowMillis: Int64) -> String {
        guard !endpoint.secrets.isEmpty else { return "unsigned" }
        let active = endpoint.signingSecrets(nowMillis: nowMillis)
        return "signed " + active.map { secret in
            let fingerprint = SecretFingerprint.of(secret)
            let until = endpoint.secretExpiryMillis[fingerprint].map { " until " + UTCTime.iso8601(millisecondsSince1970: $0) } ?? ""
            return "whsec_…" + fingerprint + until
        }.joined(separator: ", ")
    }

    static func describeState(_ endpoint: Endpoint) -> String {
        if let at = endpoint.disabledAt { return "DISABLED since \(at): \(endpoint.disabledReason ?? "")" }
        if let since = endpoint.failingSinceMillis { return "enabled, failing since \(UTCTime.iso8601(millisecondsSince1970: since))" }
        return "enabled"
    }
}
