import Foundation
import Testing
import Transport
@testable import Pismo

/// The attempt log against moto: `pismo init` makes the table with TTL; attempts recorded through
/// the wiring's log are read back by what `pismo attempts` runs (the Query, its filters, the
/// table); the binary prints them; and what the log costs in AWS requests.
@Suite("attempt log against moto", .timeLimit(.minutes(3)))
struct AttemptLogOnMotoTests {
    static let t0: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z

    struct Setup {
        let moto: MotoServer
        let aws: PismoAWS
        let settings: PismoSettings
        let registry: MetricsRegistry
        var history: DynamoDBAttemptHistory { DynamoDBAttemptHistory(dynamo: aws.dynamo, table: settings.attemptsTable) }
        func requests(_ operation: String) -> Int {
            let prefix = #"pismo_aws_requests_total{operation="\#(operation)"} "#
            return registry.render().split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }
    }

    /// A provisioned set of queues and tables; AWS requests counted by operation in `registry`.
    func setup(_ configure: (inout PismoSettings) -> Void = { _ in }) async throws -> Setup {
        let moto = try await MotoServer.shared()
        let registry = MetricsRegistry()
        let aws = PismoAWS(context: moto.context(http: AWSRequestCounter(IntegrationHTTP.client, registry: registry)))
        var settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        configure(&settings)
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        return Setup(moto: moto, aws: aws, settings: settings, registry: registry)
    }

    /// Client acme: events e0..e9, one a minute from t0; each failed twice on endpoint "billing"
    /// (503, then a timeout) and delivered at its third attempt. Client other: one failure.
    static func story() -> [AttemptRecord] {
        var records: [AttemptRecord] = []
        for i in 0..<10 {
            let at = t0 + Int64(i) * 60_000
            records.append(.sample("e\(i)", attempt: 1, at: at, endpoint: "billing"))
            var timeout = AttemptRecord.sample("e\(i)", attempt: 2, at: at + 5_000, endpoint: "billing")
            (timeout.status, timeout.error, timeout.responseExcerpt) = (nil, "timeout after 10000 ms", [])
            records.append(timeout)
            records.append(.sample("e\(i)", attempt: 3, delivered: true, at: at + 20_000, endpoint: "billing"))
        }
        records.append(.sample("x", at: t0, client: "other"))
        return records
    }

    func recordStory(_ setup: Setup) async throws {
        let wiring = Wiring(settings: setup.settings, aws: setup.aws, webhookHTTP: FakeHTTP(byURL: [:]), registry: setup.registry)
        for record in Self.story() { await wiring.attemptLog?.record(record) }
        await wiring.drainAttemptLog()
    }

    @Test func initCreatesTheTableWithTimeToLive() async throws {
        let setup = try await setup()
        let table = try await setup.aws.dynamo.describeTable(name: setup.settings.attemptsTable)
        #expect(table.keySchema == [AttemptsTable.clientID, AttemptsTable.attemptKey])
        let ttl = try await setup.aws.dynamo.describeTimeToLive(table: setup.settings.attemptsTable)
        #expect(ttl.status == "ENABLED" && ttl.attribute == "expires_at")
        let lines = Locked<[String]>([])
        try await Provisioning(aws: setup.aws, settings: setup.settings, log: { line in lines.withLock { $0.append(line) } }).run()
        let said = lines.withLock { $0 }
        #expect(said.contains("table \(setup.settings.attemptsTable): TTL on expires_at"), "a second init leaves TTL as it is: \(said)")
    }

    @Test func attemptsAreReadBackByTimeEventAndOutcome() async throws {
        let setup = try await setup { $0.attemptLog = .all }
        try await recordStory(setup)
        let acme = try await setup.history.attempts(.init(clientID: "acme"))
        #expect(acme.count == 30)
        #expect(acme == Self.story().filter { $0.clientID == "acme" }, "everything recorded comes back, in time order")

        let since = try await setup.history.attempts(.init(clientID: "acme", sinceMillis: Self.t0 + 7 * 60_000))
        #expect(since.map(\.eventID) == ["e7", "e7", "e7", "e8", "e8", "e8", "e9", "e9", "e9"])
        let event = try await setup.history.attempts(.init(clientID: "acme", eventID: "e4"))
        #expect(event.map(\.attempt) == [1, 2, 3])
        #expect(event.map(\.status) == [503, nil, 200] && event[1].error == "timeout after 10000 ms")
        let failed = try await setup.history.attempts(.init(clientID: "acme", sinceMillis: Self.t0 + 8 * 60_000, failedOnly: true))
        #expect(failed.map { "\($0.eventID)/\($0.attempt)" } == ["e8/1", "e8/2", "e9/1", "e9/2"])
        let newest = try await setup.history.attempts(.init(clientID: "acme", failedOnly: true, limit: 3))
        #expect(newest.map { "\($0.eventID)/\($0.attempt)" } == ["e8/2", "e9/1", "e9/2"], "the newest 3 matches, oldest first")
        #expect(try await setup.history.attempts(.init(clientID: "nobody")).isEmpty)

        let lines = AttemptListing.table(event, width: 110)
        #expect(lines.count == 4 && lines.allSatisfy { $0.count <= 110 })
        #expect(lines[1].contains("e4") && lines[1].contains("billing") && lines[1].contains("503") && lines[1].hasSuffix("down for maintenance"))
    }

    /// The query reads page after page until it has `limit` matches: moto pages at 1 MB, so force
    /// small pages through the limit of a sparse filter instead.
    @Test func aSparseFilterPagesToTheEnd() async throws {
        let setup = try await setup { $0.attemptLog = .all }
        let wiring = Wiring(settings: setup.settings, aws: setup.aws, webhookHTTP: FakeHTTP(byURL: [:]), registry: setup.registry)
        for i in 0..<250 { await wiring.attemptLog?.record(.sample(i == 3 || i == 240 ? "needle" : "hay\(i)", at: Self.t0 + Int64(i))) }
        await wiring.drainAttemptLog()
        let before = setup.requests("Query")
        let found = try await setup.history.attempts(.init(clientID: "acme", eventID: "needle", limit: 5))
        #expect(found.map(\.atMillis) == [Self.t0 + 3, Self.t0 + 240])
        #expect(setup.requests("Query") - before == 3, "pages of 100 until the partition ends")
    }

    /// The binary prints the table (and JSON lines), and refuses a bad PISMO_ATTEMPT_LOG at start.
    @Test func theCommand() async throws {
        let setup = try await setup { $0.attemptLog = .all }
        try await recordStory(setup)
        let env = PismoProcess.environment(moto: setup.moto, settings: setup.settings)
        let cwd = try PismoProcess.emptyDirectory()
        let table = try await PismoProcess.run(["attempts", "acme", "--since", "2026-12-01T00:08:00Z", "--failed"], cwd: cwd, env: env)
        #expect(table.status == 0, "\(table.output)")
        let lines = table.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("TIME") == true && lines.first?.contains("RESPONSE") == true, "\(table.output)")
        #expect(lines.contains { $0.hasPrefix("2026-12-01T00:09:05.000Z  e9     billing") && $0.contains("timeout after 10000 ms") }, "\(table.output)")
        #expect(lines.contains { $0.hasPrefix("2026-12-01T00:08:00.000Z  e8     billing") && $0.hasSuffix("down for maintenance") }, "\(table.output)")
        #expect(lines.last == "4 attempts, 4 failed", "\(table.output)")

        let json = try await PismoProcess.run(["attempts", "acme", "--event", "e2", "--json"], cwd: cwd, env: env)
        #expect(json.status == 0, "\(json.output)")
        #expect(json.output.split(separator: "\n").count == 3)
        #expect(json.output.contains(#""event_id":"e2","endpoint_id":"billing","attempt":3,"status":200,"latency_ms":12,"delivered":true"#), "\(json.output)")

        let none = try await PismoProcess.run(["attempts", "nobody"], cwd: cwd, env: env)
        #expect(none.status == 0 && none.output.contains("no attempts found for nobody"), "\(none.output)")
        let badTime = try await PismoProcess.run(["attempts", "acme", "--since", "yesterday"], cwd: cwd, env: env)
        #expect(badTime.status == 2 && badTime.output.contains("'yesterday' is not a time"), "\(badTime.output)")
        var badEnv = env
        badEnv["PISMO_ATTEMPT_LOG"] = "sometimes"
        for command in [["attempts", "acme"], ["deliver"], ["processor"]] {
            let bad = try await PismoProcess.run(command, cwd: cwd, env: badEnv)
            #expect(bad.status == 2 && bad.output.contains("PISMO_ATTEMPT_LOG=sometimes is invalid: expected failures, all, off"),
                    "\(command): \(bad.output)")
        }
    }

    /// What the log costs (figures in bench/RESULTS.md): in `failures` mode 500 events delivered at
    /// their first attempt make no AWS request at all; 100 failed attempts in a burst are written
    /// 25 to a BatchWriteItem.
    @Test func whatItCostsInRequests() async throws {
        let setup = try await setup()  // the default mode, failures
        #expect(setup.settings.attemptLog == .failures)
        let wiring = Wiring(settings: setup.settings, aws: setup.aws, webhookHTTP: FakeHTTP(byURL: [:]), registry: setup.registry)
        let before = setup.registry.render()
        for i in 0..<500 { await wiring.attemptLog?.record(.sample("ok\(i)", delivered: true, at: Self.t0 + Int64(i))) }
        await wiring.drainAttemptLog()
        #expect(setup.registry.render() == before, "no request, no metric moved")

        let failing = Wiring(settings: setup.settings, aws: setup.aws, webhookHTTP: FakeHTTP(byURL: [:]), registry: setup.registry)
        let requestsBefore = setup.requests("BatchWriteItem")
        for i in 0..<100 { await failing.attemptLog?.record(.sample("bad\(i)", at: Self.t0 + Int64(i))) }
        await failing.drainAttemptLog()
        let batches = setup.requests("BatchWriteItem") - requestsBefore
        print("attempt log cost: 500 delivered first attempts -> 0 AWS requests; 100 failed attempts (burst) -> \(batches) BatchWriteItem")
        #expect(batches >= 4 && batches <= 8, "25 attempts to a request, a partial batch now and then: \(batches)")
        #expect(try await setup.history.attempts(.init(clientID: "acme")).count == 100)
    }
}
