import Foundation
import Testing
import Transport
@testable import Pismo

/// `pismo replay` against moto: stored events selected by `received_at`, client and event type are
/// put in the retry queue as attempt-1 references, by the engine and by the binary; an interrupted
/// run sent part, and running it again sends the whole selection.
///
/// The table: clients a and b, one event a minute from `t0` for 30 minutes, alternating types
/// `order.created` (even minutes) and `user.signup` (odd).
@Suite("pismo replay against moto", .timeLimit(.minutes(3)))
struct ReplayOnMotoTests {
    static let t0: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z

    struct Table {
        let moto: MotoServer
        let aws: PismoAWS
        let settings: PismoSettings
        var wiring: Wiring { Wiring(settings: settings, aws: aws, webhookHTTP: FakeHTTP(byURL: [:])) }

        /// Every retry message now in the queue (each received once, hidden for the rest of the test).
        func queued() async throws -> [PendingRetry] {
            let url = try await aws.queueURL(settings.retryQueue)
            var found: [PendingRetry] = []
            var emptyPolls = 0
            while emptyPolls < 2 {
                let batch = try await aws.sqs.receiveMessage(queueURL: url, maxMessages: 10, waitSeconds: 0, visibilityTimeout: 600)
                emptyPolls = batch.isEmpty ? emptyPolls + 1 : 0
                found += batch.compactMap { PendingRetry(json: $0.body) }
            }
            return found
        }
    }

    static func key(_ client: String, _ minute: Int) -> String { "2026-12-01T00:\(String(format: "%02d", minute)):00.000Z#\(client)-\(minute)" }
    static func minute(_ m: Int) -> Int64 { t0 + Int64(m) * 60_000 }

    func table() async throws -> Table {
        let moto = try await MotoServer.shared()
        let aws = PismoAWS(context: moto.context())
        let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
        try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
        let store = DynamoDBEventStore(dynamo: aws.dynamo, table: settings.eventsTable)
        for client in ["a", "b"] {
            for m in 0..<30 {
                let time = UTCTime.iso8601(millisecondsSince1970: Self.minute(m))
                _ = try await store.putIfAbsent(EventItem(
                    clientID: client, eventKey: Self.key(client, m), eventID: "\(client)-\(m)",
                    eventType: m % 2 == 0 ? "order.created" : "user.signup", eventTime: time,
                    payload: Array("{\"m\":\(m)}".utf8), receivedAt: time))
            }
        }
        return Table(moto: moto, aws: aws, settings: settings)
    }

    @Test func oneClientsTimeRange() async throws {
        let table = try await table()
        let replay = EventReplay(resender: table.wiring.storedEventResender)
        let sent = try await replay.run(EventReplay.Selection(fromMillis: Self.minute(10), untilMillis: Self.minute(20), clientID: "a"))
        #expect(sent == 10)
        let queued = try await table.queued()
        #expect(Set(queued.map(\.eventKey)) == Set((10..<20).map { Self.key("a", $0) }))
        #expect(queued.count == 10)
        #expect(queued.allSatisfy { $0.clientID == "a" && $0.attempt == 1 && $0.eventID == $0.eventKey.components(separatedBy: "#")[1] })
    }

    @Test func oneEventTypeAcrossClientsWithAParallelScan() async throws {
        let table = try await table()
        var resender = table.wiring.storedEventResender
        resender.segments = 3
        let counted = try await EventReplay(resender: resender).run(EventReplay.Selection(fromMillis: Self.minute(20), eventType: "user.signup"), dryRun: true)
        #expect(counted == 10)
        #expect(try await table.queued().isEmpty, "a dry run sends nothing")
        let sent = try await EventReplay(resender: resender).run(EventReplay.Selection(fromMillis: Self.minute(20), eventType: "user.signup"))
        #expect(sent == 10)
        let expected = ["a", "b"].flatMap { c in stride(from: 21, to: 30, by: 2).map { Self.key(c, $0) } }
        let queued = try await table.queued()
        #expect(queued.map(\.eventKey).sorted() == expected.sorted())
    }

    /// The retry queue refuses every send after the fifth: the run stops with an error, having sent
    /// some. Running it again sends the whole selection (those five again: at least once).
    @Test func interruptedAndRunAgain() async throws {
        let table = try await table()
        let queue = table.wiring.retryQueue
        let failing = FailingAfter(queue, sends: 5)
        let selection = EventReplay.Selection(fromMillis: Self.minute(0), clientID: "b")
        await #expect(throws: (any Error).self) {
            try await EventReplay(resender: StoredEventResender(ranges: DynamoDBEventStore(dynamo: table.aws.dynamo, table: table.settings.eventsTable),
                                                                retries: failing, sendsPerSegment: 1)).run(selection)
        }
        let partial = try await table.queued()
        #expect(partial.count == 5)
        let sent = try await EventReplay(resender: table.wiring.storedEventResender).run(selection)
        #expect(sent == 30)
        let rest = try await table.queued()
        #expect(Set(rest.map(\.eventKey)) == Set((0..<30).map { Self.key("b", $0) }))
    }

    /// The binary: usage errors exit 2 and name the problem; a run prints its count.
    @Test func theCommand() async throws {
        let table = try await table()
        let env = PismoProcess.environment(moto: table.moto, settings: table.settings)
        let cwd = try PismoProcess.emptyDirectory()
        let bad = try await PismoProcess.run(["replay", "--since", "last tuesday"], cwd: cwd, env: env)
        #expect(bad.status == 2)
        #expect(bad.output.contains("'last tuesday' is not a time"))
        let backwards = try await PismoProcess.run(["replay", "--since", "2026-12-01T00:20:00Z", "--until", "2026-12-01T00:10:00Z"], cwd: cwd, env: env)
        #expect(backwards.status == 2)
        #expect(backwards.output.contains("must be after --since"))

        let dry = try await PismoProcess.run(["replay", "--since", "2026-12-01T00:10:00Z", "--until", "2026-12-01T02:15:00+02:00",
                                              "--client", "a", "--dry-run"], cwd: cwd, env: env)
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("5 events match (dry run: nothing sent)"), "\(dry.output)")
        let run = try await PismoProcess.run(["replay", "--since", "2026-12-01T00:10:00Z", "--until", "2026-12-01T00:15:00Z",
                                              "--event-type", "order.created"], cwd: cwd, env: env)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("6 events sent to \(table.settings.retryQueue)"), "\(run.output)")
        let queued = try await table.queued()
        #expect(Set(queued.map(\.eventKey)) == Set(["a", "b"].flatMap { c in [10, 12, 14].map { Self.key(c, $0) } }))
    }
}

/// A retry queue that accepts `sends` messages and then refuses, as an SQS outage would.
final class FailingAfter: RetryScheduler {
    let inner: any RetryScheduler
    let remaining: Locked<Int>
    init(_ inner: any RetryScheduler, sends: Int) {
        self.inner = inner
        remaining = Locked(sends)
    }
    func schedule(_ retry: PendingRetry, delay: Duration) async throws {
        let allowed = remaining.withLock { n in defer { n -= 1 }; return n > 0 }
        guard allowed else { throw AWSError.outage("sqs", "SendMessage") }
        try await inner.schedule(retry, delay: delay)
    }
}
