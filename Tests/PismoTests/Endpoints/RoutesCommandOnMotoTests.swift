import Foundation
import Testing
@testable import Pismo

/// `pismo routes` as an operator runs it, against moto: endpoints with every option, secrets read
/// from a file or standard input and never printed back, rotation, per-endpoint delete.
@Suite("pismo routes against moto", .timeLimit(.minutes(2)))
struct RoutesCommandOnMotoTests {
    @Test func setListRotateAndDeleteEndpoints() async throws {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let env = PismoProcess.environment(moto: moto, settings: settings)
        let cwd = try PismoProcess.emptyDirectory()
        let secret = RouteAdmin.generateSecret()
        let secretFile = cwd + "/secret"
        try Data((secret + "\n").utf8).write(to: URL(fileURLWithPath: secretFile))

        let legacy = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/legacy"], cwd: cwd, env: env)
        #expect(legacy.status == 0, "\(legacy.output)")
        let billing = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/billing", "--endpoint", "billing",
                                                  "--secret-file", secretFile, "--event-types", "invoice.paid,invoice.failed",
                                                  "--rate", "5", "--timeout-ms", "2500", "--header", "X-Team=billing"], cwd: cwd, env: env)
        #expect(billing.status == 0, "\(billing.output)")
        let fromStdin = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/audit", "--endpoint", "audit",
                                                    "--secret-file", "-"], cwd: cwd, env: env, stdin: secret)
        #expect(fromStdin.status == 0, "\(fromStdin.output)")

        let stored = try #require(try await RouteAdmin(aws: aws, table: settings.routesTable).route(of: "acme"))
        #expect(stored.endpoints.map(\.id) == ["default", "billing", "audit"])
        let b = try #require(stored.endpoint("billing"))
        #expect(b.secrets == [secret] && b.eventTypes == ["invoice.paid", "invoice.failed"] && b.ratePerSecond == 5
                && b.timeout == .milliseconds(2500) && b.headers == ["X-Team": "billing"])
        #expect(stored.endpoint("audit")?.secrets == [secret])

        let list = try await PismoProcess.run(["routes", "list"], cwd: cwd, env: env)
        #expect(list.status == 0)
        #expect(!list.output.contains(secret) && !list.output.contains(String(secret.dropFirst(6).prefix(12))), "secrets never printed")
        #expect(list.output.contains("acme\tbilling\thttp://127.0.0.1:9/billing\ttypes=invoice.failed,invoice.paid rate=5.0/s"), "\(list.output)")
        #expect(list.output.contains("whsec_…" + SecretFingerprint.of(secret)))

        let rotated = try await PismoProcess.run(["routes", "rotate-secret", "acme", "--endpoint", "billing", "--keep", "2h"], cwd: cwd, env: env)
        #expect(rotated.status == 0, "\(rotated.output)")
        let newSecret = try #require(rotated.output.split(separator: "\n").first { $0.hasPrefix("whsec_") }.map(String.init))
        let after = try #require(try await RouteAdmin(aws: aws, table: settings.routesTable).route(of: "acme")?.endpoint("billing"))
        #expect(after.secrets == [newSecret, secret])
        let until = try #require(after.secretExpiryMillis[SecretFingerprint.of(secret)])
        #expect(abs(until - UTCTime.millisecondsSince1970(Date()) - 7_200_000) < 60_000, "the old secret signs for two more hours")

        let refused = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/x", "--endpoint", "bad",
                                                  "--header", "webhook-signature=v1,forged"], cwd: cwd, env: env)
        #expect(refused.status != 0 && refused.output.contains("cannot be replaced"), "\(refused.output)")

        let deleted = try await PismoProcess.run(["routes", "delete", "acme", "--endpoint", "billing"], cwd: cwd, env: env)
        #expect(deleted.status == 0, "\(deleted.output)")
        #expect(try await RouteAdmin(aws: aws, table: settings.routesTable).route(of: "acme")?.endpoints.map(\.id) == ["default", "audit"])
        let missing = try await PismoProcess.run(["routes", "delete", "acme", "--endpoint", "billing"], cwd: cwd, env: env)
        #expect(missing.status == 1 && missing.output.contains("no endpoint acme/billing"), "\(missing.output)")
    }
}
