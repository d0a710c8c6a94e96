import Foundation
import Testing
import Transport
@testable import Pismo

/// Issue 12's outages end to end on moto: one tenant's endpoint down (hanging, answering 503,
/// refusing connections) while ten healthy tenants keep receiving traffic (10 % of it for the dead
/// tenant; the rate is below the issue's 100 events/s because of moto, see `rate`). The
/// healthy tenants' end-to-end latency (sink receipt − the instant the test sent the event) stays
/// under 1 s at p99 for the whole outage, and once the endpoint is back every one of the dead
/// tenant's events arrives (byte-identical, `webhook-id` = event id), none dead-lettered, none lost.
/// Also: 410 Gone disables the route and `routes enable` restores it; a deliver instance SIGKILLed
/// while retries are pending loses nothing.
///
/// Serialized: each case loads moto (and this 2-core machine) on its own, so that one outage's
/// traffic cannot set another's latency (and `scripts/test.sh` runs it alone, after the rest). Retry
/// timing is production's apart from the schedule: the circuit breaker opens within seconds and
/// parks the dead tenant's events for at least its 30 s probe interval, so recovery takes up to a
/// probe interval plus a park (≈ 60 s) after the endpoint is back.
@Suite("Outages against moto", .serialized)
struct OutageOnMotoTests {
    /// Compressed so that an event sent at the start of the 2-minute outage still has attempts left
    /// when it ends, even if every attempt is made (no circuit): 188 s, ≥ 150 s after −20 % jitter.
    static let compressed = RetrySchedule(delays: [1, 2, 5, 10, 20, 30, 30, 30, 30, 30].map { .seconds($0) })

    // MARK: one tenant down, ten healthy

    /// Events per second, 10 % of them for the dead tenant. The issue's figure is 100/s; on moto
    /// this suite runs less because moto, not Pismo, gives out first on a 2-core machine. moto serves
    /// about 170-200 requests/s here (one Python process, one core); the healthy path alone at 100/s
    /// takes ~165 of them (measured in the warm-up). The dead tenant's events each cost at least one
    /// more (parked in the retry queue) plus the retry worker's polls, and past its capacity moto does
    /// not just slow down, it collapses: each SendMessage recomputes the queue's attributes over
    /// every message in it, so a growing events queue makes every send slower still (SendMessageBatch
    /// timing out ~10 s into the outage, with parking as cheap as one ChangeMessageVisibility).
    /// So: 50/s for the 30 s outages, 20/s for the 2-minute hang. `OUTAGE_RATE` overrides both where
    /// moto has the room.
    static func rate(_ standard: Int) -> Int { Int(ProcessInfo.processInfo.environment["OUTAGE_RATE"] ?? "") ?? standard }

    @Test(.timeLimit(.minutes(5))) func aHangingEndpointForTwoMinutesDelaysNoOtherTenantAndLosesNothing() async throws {
        try await runOutage(.hang, outage: .seconds(120), rate: Self.rate(20))
    }

    /// 503 and refused connections fail fast, unlike a hang (the lane is not held for the timeout),
    /// so a shorter outage (30 s, well past the breaker opening) exercises them; it keeps CI time down.
    @Test(.timeLimit(.minutes(3))) func anEndpointAnswering503ForThirtySeconds() async throws {
        try await runOutage(.unavailable, outage: .seconds(30), rate: Self.rate(50))
    }

    /// Connections refused on a bound, never-listening loopback port; at recovery a server starts on
    /// that very port (so the route, and its cached lookup, stay the same).
    @Test(.timeLimit(.minutes(3))) func anEndpointRefusingConnectionsForThirtySeconds() async throws {
        try await runOutage(.refused, outage: .seconds(30), rate: Self.rate(50))
    }

    func runOutage(_ mode: DeadEndpoint.Mode, outage: Duration, rate: Int, warmUp: Duration = .seconds(5),
                   recoveryLimit: Duration = .seconds(100)) async throws {
        #expect(Self.compressed.total * 0.8 > outage, "every event sent at the start of the outage has attempts left after it")
        let dead = try await DeadEndpoint.start(mode)
        try await usingThenStopping(dead, stop: { await $0.stop() }) { dead in
            try await withLoopbackSink { sink in
                var routes = [Traffic.deadClient: dead.url]
                for k in 1...10 { routes["healthy-\(k)"] = sink.url("/h\(k)") }
                try await withMotoPipeline(routes: routes, configure: {
                    $0.deliveryTimeoutMilliseconds = 2000
                    $0.retrySchedule = Self.compressed
                }) { pipeline in
                    let traffic = Traffic(seed: UInt64(pipeline.tag))
                    // Warm-up: healthy tenants only (connections, route cache, shard lease), not measured.
                    try await traffic.send(to: pipeline, for: warmUp, phase: .warmUp, rate: rate)
                    try await traffic.send(to: pipeline, for: outage, phase: .outage, rate: rate)
                    try await dead.recover()
                    let recoveredAt = ContinuousClock.now

                    let healthy = traffic.events { !$0.dead }
                    try await eventually("every healthy event is delivered", within: .seconds(60)) {
                        Set(sink.requests.map(\.bodyText.eventID)).isSuperset(of: healthy.map(\.id))
                    }
                    let stats = try checkHealthyLatency(sink, traffic, mode: mode, outage: outage, rate: rate)

                    let deadEvents = traffic.events { $0.dead }
                    do {
                        try await eventually("every event of the dead tenant arrives after recovery", within: recoveryLimit) {
                            Set(dead.accepted().map(\.bodyText.eventID)).isSuperset(of: deadEvents.map(\.id))
                        }
                    } catch {
                        let got = Set(dead.accepted().map(\.bodyText.eventID))
                        Issue.record("\(deadEvents.filter { !got.contains($0.id) }.count) of \(deadEvents.count) missing")
                        throw error
                    }
                    let recovery = ContinuousClock.now - recoveredAt
                    try checkDeadTenantDeliveries(dead, deadEvents)
                    #expect(try await pipeline.deadLetters(0).isEmpty, "nothing dead-lettered")
                    try await eventually("the retry queue drains", within: .seconds(30)) { try await retryQueueDepth(pipeline) == 0 }
                    print("outage[\(mode)] \(outage): healthy n=\(stats.count) p50=\(stats.p50) p99=\(stats.p99) max=\(stats.max); "
                          + "dead tenant \(Set(dead.accepted().map(\.bodyText.eventID)).count)/\(deadEvents.count) delivered, "
                          + "all within \(recovery) of recovery; requests to it \(dead.requests().count)")
                }
            }
        }
    }

    /// p99 < 1 s over the healthy events sent during the outage (the warm-up is not measured).
    func checkHealthyLatency(_ sink: LoopbackSink, _ traffic: Traffic, mode: DeadEndpoint.Mode,
                             outage: Duration, rate: Int) throws -> (count: Int, p50: Duration, p99: Duration, max: Duration) {
        var firstReceipt: [String: ContinuousClock.Instant] = [:]
        for request in sink.requests {
            let id = request.bodyText.eventID
            if let known = firstReceipt[id], known <= request.receivedAt { continue }
            firstReceipt[id] = request.receivedAt
        }
        let measured = traffic.events { !$0.dead && $0.phase == .outage }
        let latencies = try measured.map { event in try #require(firstReceipt[event.id]) - event.sentAt }.sorted()
        #expect(latencies.count >= Int(outage.seconds * Double(rate) * 0.8), "the healthy 90 % of the outage's events were measured")
        let pct = { (q: Double) in latencies[max(0, Int((q * Double(latencies.count)).rounded(.up)) - 1)] }
        let stats = (latencies.count, pct(0.5), pct(0.99), latencies.last ?? .zero)
        #expect(stats.2 < .seconds(1), "healthy tenants' p99 during the \(mode) outage: \(stats.2) (p50 \(stats.1), max \(stats.3))")
        return stats
    }

    /// Every event arrived with a 2xx, byte-identical and with its own id as `webhook-id`.
    func checkDeadTenantDeliveries(_ dead: DeadEndpoint, _ events: [Traffic.Event]) throws {
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0.body) })
        let accepted = dead.accepted()
        for request in accepted {
            let id = request.bodyText.eventID
            #expect(request.body == Array((byID[id] ?? "").utf8), "\(id) delivered byte-identical")
            #expect(request.headers["webhook-id"] == id, "\(id): webhook-id is the event id")
        }
        #expect(Set(accepted.map(\.bodyText.eventID)) == Set(byID.keys), "every event of the dead tenant, and only those, delivered")
    }

    // MARK: 410 Gone

    @Test(.timeLimit(.minutes(2))) func a410DisablesTheRouteAndRoutesEnableRestoresDelivery() async throws {
        let fixed = ShutdownSignal()
        try await withLoopbackSink { sink in
            let routes = ["gone": sink.on("/gone") { _ in HTTPResponse(status: fixed.isTriggered ? 200 : 410) },
                          "ok": sink.url("/ok")]
            try await withMotoPipeline(routes: routes, configure: { $0.retrySchedule = Self.compressed }) { pipeline in
                let admin = RouteAdmin(aws: pipeline.aws, table: pipeline.settings.routesTable)
                let generator = Traffic.Renamer(seed: UInt64(pipeline.tag))
                let first = generator.event(for: "gone"), ok = generator.event(for: "ok")
                try await pipeline.send([first, ok])

                let letters = try await pipeline.deadLetters(1)
                #expect(letters.map(\.body) == [first])
                let letter = try #require(letters.first)
                #expect(letter.messageAttributes["pismo-error"]?.stringValue?.hasPrefix("disabled: ") == true,
                        "pismo-error: \(letter.messageAttributes["pismo-error"]?.stringValue ?? "-")")
                #expect(letter.messageAttributes["pismo-attempts"]?.stringValue == "1")
                #expect(letter.messageAttributes["pismo-last-status"]?.stringValue == "410")
                let route = try #require(try await admin.list().first { $0.client == "gone" }?.route)
                #expect(route.disabledAt != nil && route.disabledReason?.contains("410") == true, "disabled, with the reason")
                try await eventually("the other client's event is delivered") { sink.delivered(to: "/ok") == [ok] }

                // Later events of the disabled client: dead-lettered `disabled` without a request.
                let later = [generator.event(for: "gone"), generator.event(for: "gone")]
                try await pipeline.send(later)
                let laterLetters = try await pipeline.deadLetters(2)
                #expect(laterLetters.map(\.body).sorted() == later.sorted())
                for letter in laterLetters {
                    #expect(letter.messageAttributes["pismo-error"]?.stringValue?.hasPrefix("disabled: ") == true)
                    #expect(letter.messageAttributes["pismo-attempts"]?.stringValue == "0")
                }
                #expect(sink.requests(to: "/gone").count == 1, "a disabled route gets no request")

                // The endpoint is fixed and the operator enables the route (what `pismo routes enable` calls).
                fixed.trigger()
                #expect(try await admin.enable(client: "gone"))
                #expect(try await admin.list().first { $0.client == "gone" }?.route.disabledAt == nil)
                // Deliver caches routes for 30 s (README): new events are delivered once it reads the
                // route again. Send one a second until one arrives, then three more that must all arrive.
                var afterEnable: [String] = []
                try await eventually("a new event is delivered after enable", within: .seconds(45)) {
                    if !sink.delivered(to: "/gone").isEmpty { return true }
                    let next = generator.event(for: "gone")
                    afterEnable.append(next)
                    try await pipeline.send([next])
                    try await Task.sleep(for: .seconds(1))
                    return !sink.delivered(to: "/gone").isEmpty
                }
                let more = (0..<3).map { _ in generator.event(for: "gone") }
                try await pipeline.send(more)
                try await eventually("every event after the first delivery is delivered") {
                    Set(sink.delivered(to: "/gone")).isSuperset(of: more)
                }
                // Nothing sent after enable is lost: delivered, or (inside the cache's 30 s) dead-lettered `disabled`.
                let delivered = Set(sink.delivered(to: "/gone"))
                let missed = afterEnable.filter { !delivered.contains($0) }
                let missedLetters = try await pipeline.deadLetters(missed.count)
                #expect(missedLetters.map(\.body).sorted() == missed.sorted(), "each event sent after enable delivered or dead-lettered")
                #expect(missedLetters.allSatisfy { $0.messageAttributes["pismo-error"]?.stringValue?.hasPrefix("disabled: ") == true })
                #expect(delivered.isSuperset(of: more) && delivered.count == afterEnable.count - missed.count + more.count)
            }
        }
    }

    // MARK: a deliver instance killed with retries pending

    @Test(.timeLimit(.minutes(3))) func aDeliverInstanceKilledWithRetriesPendingLosesNothing() async throws {
        let recovered = ShutdownSignal()
        try await withLoopbackSink { sink in
            let moto = try await MotoServer.shared()
            let aws = PismoAWS(context: moto.context())
            let tag = UInt32.random(in: 0...UInt32.max)
            var settings = PismoSettings.unique(tag)
            settings.retrySchedule = Self.compressed
            try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
            let admin = RouteAdmin(aws: aws, table: settings.routesTable)
            try await admin.set(client: "down", url: sink.on("/down") { _ in HTTPResponse(status: recovered.isTriggered ? 200 : 503) }, secret: nil)
            try await admin.set(client: "up", url: sink.url("/up"), secret: nil)

            let processor = try await MotoPipeline.processor(aws: aws, settings: settings, registry: MetricsRegistry(), drainTimeout: .seconds(2))
            let stopProcessor = ShutdownSignal()
            let processorTask = Task { await processor.run(until: stopProcessor) }
            let dir = try PismoProcess.emptyDirectory()
            let env = Self.childEnvironment(moto, settings, schedule: "1s,2s,5s,10s,20s,30s,30s,30s,30s,30s")
            let deliverArgs = ["deliver", "--lease-seconds", "5"]
            var second: PismoProcess.Running?
            let first = try PismoProcess.Running(deliverArgs, cwd: dir, env: env, log: "\(dir)/deliver-1.log")
            do {
                let generator = Traffic.Renamer(seed: UInt64(tag))
                let down = (0..<20).map { _ in generator.event(for: "down") }
                let up = (0..<20).map { _ in generator.event(for: "up") }
                _ = try await EventSender(aws: aws, queueURL: try await aws.queueURL(settings.eventsQueue)).send(zip(down, up).flatMap { [$0, $1] })

                try await eventually("the healthy client's events are delivered") { Set(sink.delivered(to: "/up")) == Set(up) }
                try await eventually("every stream record is resolved and checkpointed: the failing client's events wait in the retry queue only",
                                     within: .seconds(60)) {
                    try await Self.checkpointAtEnd(aws, settings)
                }
                #expect(try await Self.retryQueueDepth(aws, settings) >= down.count, "one retry message per failing event")
                #expect(sink.delivered(to: "/down").isEmpty)

                kill(first.process.processIdentifier, SIGKILL)  // as a crash would: no drain
                first.process.waitUntilExit()
                #expect(first.process.terminationReason == .uncaughtSignal)

                recovered.trigger()
                second = try PismoProcess.Running(deliverArgs, cwd: dir, env: env, log: "\(dir)/deliver-2.log")
                do {
                    try await eventually("a second instance delivers every event of the failing client", within: .seconds(100)) {
                        Set(sink.delivered(to: "/down")).isSuperset(of: down)
                    }
                } catch {
                    Issue.record("delivered \(Set(sink.delivered(to: "/down")).intersection(down).count)/\(down.count); logs in \(dir)")
                    throw error
                }
                #expect(Set(sink.delivered(to: "/down")) == Set(down))
                let dlq = try await QueueTools(aws: aws).peek(queueURL: try await aws.queueURL(settings.deliverDLQ))
                #expect(dlq.messages.isEmpty && dlq.approximateCount == 0, "nothing dead-lettered")
                try await eventually("the retry queue drains", within: .seconds(30)) { try await Self.retryQueueDepth(aws, settings) == 0 }
                #expect(await second!.terminate() == 0)
            } catch {
                if first.process.isRunning { kill(first.process.processIdentifier, SIGKILL) }
                _ = await second?.terminate(within: .seconds(5))
                stopProcessor.trigger()
                _ = await processorTask.value
                throw error
            }
            stopProcessor.trigger()
            _ = await processorTask.value
        }
    }

    static func childEnvironment(_ moto: MotoServer, _ settings: PismoSettings, schedule: String) -> [String: String] {
        var env = PismoProcess.environment(moto: moto, settings: settings)
        env["PISMO_RETRY_SCHEDULE"] = schedule
        env["PISMO_DELIVERY_TIMEOUT_MS"] = "2000"
        for name in ["PISMO_MAX_ATTEMPTS", "PISMO_RETRY_BASE_MS", "PISMO_RETRY_MAX_MS"] { env[name] = nil }
        return env
    }

    /// Visible, in flight and delayed messages of the retry queue.
    static func retryQueueDepth(_ aws: PismoAWS, _ settings: PismoSettings) async throws -> Int {
        let names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
        let attributes = try await aws.sqs.getQueueAttributes(queueURL: try await aws.queueURL(settings.retryQueue), names: names)
        return names.reduce(0) { $0 + (Int(attributes[$1] ?? "") ?? 0) }
    }

    func retryQueueDepth(_ pipeline: MotoPipeline) async throws -> Int {
        try await Self.retryQueueDepth(pipeline.aws, pipeline.settings)
    }

    /// The persisted checkpoint of the (one) shard is its last INSERT.
    static func checkpointAtEnd(_ aws: PismoAWS, _ settings: PismoSettings) async throws -> Bool {
        let source = DynamoDBStreamSource(streams: aws.streams, streamARN: try await aws.streamARN(table: settings.eventsTable))
        var last: (shardID: String, sequence: String)?
        for shard in try await source.listShards() {
            var iterator: String? = try await source.iterator(shardID: shard.shardID, after: nil)
            while let current = iterator {
                let page = try await source.records(iterator: current)
                for record in page.records { if case .inserted = record.kind { last = (shard.shardID, record.sequenceNumber) } }
                iterator = page.records.isEmpty ? nil : page.next
            }
        }
        guard let last else { return false }
        let leases = try await DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable).leases()
        return leases.first { $0.shardID == last.shardID }?.checkpoint == last.sequence
    }
}

/// The dead tenant's endpoint: down in one of three ways until `recover()`, then answering 200.
final class DeadEndpoint: Sendable {
    enum Mode: String, Sendable, CustomStringConvertible {
        /// Accepts each request and never answers it (until recovery, when the held ones get 503:
        /// their client gave up long before, so none of them counts as delivered).
        case hang
        case unavailable = "503"
        /// Nothing listens on the port (bound, so no parallel test can be handed it).
        case refused
        var description: String { rawValue }
    }

    let mode: Mode
    let url: String
    private let recovered: ShutdownSignal
    private let sink: Locked<LoopbackSink?>
    private let refusing: RefusingPort?

    private init(mode: Mode, url: String, sink: LoopbackSink?, refusing: RefusingPort?, recovered: ShutdownSignal) {
        self.mode = mode
        self.url = url
        self.sink = Locked(sink)
        self.refusing = refusing
        self.recovered = recovered
    }

    static let path = "/dead"

    static func start(_ mode: Mode) async throws -> DeadEndpoint {
        let recovered = ShutdownSignal()
        if mode == .refused {
            let port = try RefusingPort()
            return DeadEndpoint(mode: mode, url: port.url(path), sink: nil, refusing: port, recovered: recovered)
        }
        let sink = try await LoopbackSink.start()
        let url = sink.on(path) { _ in
            if recovered.isTriggered { return HTTPResponse(status: 200) }
            if mode == .hang { await recovered.wait() }
            return HTTPResponse(status: 503)
        }
        return DeadEndpoint(mode: mode, url: url, sink: sink, refusing: nil, recovered: recovered)
    }

    /// The endpoint answers 200 from now on (for `refused`, a server starts on the refusing port).
    func recover() async throws {
        if let refusing {
            refusing.release()
            let started = try await LoopbackSink.start(port: refusing.port)
            sink.withLock { $0 = started }
        }
        recovered.trigger()
    }

    func requests() -> [LoopbackSink.Received] { sink.withLock { $0 }?.requests(to: Self.path) ?? [] }

    /// Requests answered 2xx: the deliveries.
    func accepted() -> [LoopbackSink.Received] { requests().filter { ($0.status ?? 0) / 100 == 2 } }

    func stop() async {
        recovered.trigger()  // releases held requests
        if let refusing, sink.withLock({ $0 }) == nil { refusing.release() }
        await sink.withLock { $0 }?.stop()
    }
}

/// Open-loop traffic at `rate` events/s in batches of 10 (every 100 ms at 100/s): per batch one event for the dead
/// tenant (`client-1`, 10 %) and nine spread over ten healthy tenants (`healthy-1` … `healthy-10`).
/// Each batch is sent by its own task at its slot, so a slow SendMessageBatch delays no later batch,
/// and its send instant is stamped by the test just before the call.
final class Traffic: Sendable {
    static let deadClient = "client-1"

    enum Phase: Sendable { case warmUp, outage }

    struct Event: Sendable {
        let id: String
        let body: String
        let dead: Bool
        let phase: Phase
        let sentAt: ContinuousClock.Instant
    }

    private let generator: EventGenerator
    private let next = Locked(0)
    private let log = Locked<[Event]>([])

    init(seed: UInt64) { generator = EventGenerator(clients: 10, seed: seed) }

    func events(where keep: (Event) -> Bool) -> [Event] { log.withLock { $0.filter(keep) } }

    func send(to pipeline: MotoPipeline, for duration: Duration, phase: Phase, rate: Int) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let batches = Int(duration.seconds * Double(rate) / 10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for b in 0..<batches {
                try await clock.sleep(until: start.advanced(by: .milliseconds(10_000 * b / rate)))
                let first = next.withLock { n in defer { n += 10 }; return n }
                let batch = zip(first..<first + 10, generator.events(first..<first + 10)).compactMap { i, event -> (String, Bool)? in
                    if i % 10 == 0 { return phase == .warmUp ? nil : (event, true) }
                    let healthy = ((i / 10) * 9 + i % 10 - 1) % 10 + 1
                    return (event.replacingOccurrences(of: #""client_id":"client-\#(i % 10 + 1)""#,
                                                       with: #""client_id":"healthy-\#(healthy)""#), false)
                }
                group.addTask { [log] in
                    let sentAt = ContinuousClock.now
                    log.withLock { $0 += batch.map { Event(id: $0.0.eventID, body: $0.0, dead: $0.1, phase: phase, sentAt: sentAt) } }
                    try await pipeline.send(batch.map(\.0))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Single events for named clients, unique ids.
    final class Renamer: Sendable {
        private let generator: EventGenerator
        private let next = Locked(0)
        init(seed: UInt64) { generator = EventGenerator(clients: 1, seed: seed) }
        func event(for client: String) -> String {
            let i = next.withLock { n in defer { n += 1 }; return n }
            return generator.events(i..<i + 1)[0].replacingOccurrences(of: #""client_id":"client-1""#, with: #""client_id":"\#(client)""#)
        }
    }
}
