import Foundation
import Testing
import Transport
@testable import Pismo

/// Where a test's ports live: the in-memory fakes (`Fakes/`), or the production adapters
/// (`Storage/`) on the shared moto. One test body runs on both, so the fakes are held to what the
/// adapters really do, and the adapters to what the fakes promise.
enum Backend: String, Sendable, CustomTestStringConvertible {
    case memory, moto
    var testDescription: String { rawValue }
}

/// The processor's and deliver's ports on one backend, and what a test needs to look behind them.
/// On moto, `Provisioning` creates queues and tables named after a per-test tag, so tests running
/// in parallel on the one server never collide.
struct BackendPorts: Sendable {
    let queue: any EventQueue
    let store: any EventStore
    let invalidEvents: any InvalidEventPublisher
    let leases: any LeaseStore
    let stream: any StreamShardSource
    /// Sends a body to the events queue, as SendMessage does.
    let send: @Sendable (String) async throws -> Void
    /// The event ids in the events table.
    let storedEventIDs: @Sendable () async throws -> [String]
    /// Messages in events-dlq.
    let deadLettered: @Sendable () async throws -> Int
    /// Messages in the events queue not yet deleted, visible or not.
    let queueDepth: @Sendable () async throws -> Int

    /// `storeOutage`: the events table's first that many puts fail as an unreachable DynamoDB makes
    /// them fail — in memory the fake store throws the AWS client's connection error; on moto the
    /// store's own client (one attempt per call) has its first that many connections refused, with
    /// the real `HTTPClientError`, before its requests reach moto.
    static func make(_ backend: Backend, storeOutage: Int = 0) async throws -> BackendPorts {
        switch backend {
        case .memory:
            let stream = MemoryStream()
            let queue = MemoryQueue(), dlq = MemoryDLQ(), store = MemoryStore(failures: storeOutage, stream: stream)
            return BackendPorts(queue: queue, store: store, invalidEvents: dlq, leases: MemoryLeases(), stream: stream,
                                send: { queue.send($0) },
                                storedEventIDs: { store.items.withLock { $0.values.map(\.eventID) } },
                                deadLettered: { dlq.published.withLock { $0.count } },
                                queueDepth: { queue.depth })
        case .moto:
            let moto = try await MotoServer.shared()
            let aws = PismoAWS(context: moto.context())
            let settings = PismoSettings.unique(UInt32.random(in: 0...UInt32.max))
            try await Provisioning(aws: aws, settings: settings, log: { _ in }).run()
            let eventsURL = try await aws.queueURL(settings.eventsQueue)
            let dlqURL = try await aws.queueURL(settings.eventsDLQ)
            let refusedFirst = FakeHTTP(Array(repeating: .refuse, count: storeOutage), fallback: .forward(IntegrationHTTP.client))
            let storeDynamo = DynamoDBClient(context: moto.context(http: refusedFirst, maxAttempts: 1))
            @Sendable func depth(_ url: String) async throws -> Int {
                let attributes = try await aws.sqs.getQueueAttributes(
                    queueURL: url, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
                return attributes.values.compactMap { Int($0) }.reduce(0, +)
            }
            return BackendPorts(
                queue: SQSEventQueue(sqs: aws.sqs, queueURL: eventsURL),
                store: DynamoDBEventStore(dynamo: storeDynamo, table: settings.eventsTable),
                invalidEvents: SQSInvalidEventPublisher(sqs: aws.sqs, queueURL: dlqURL),
                leases: DynamoDBLeaseStore(dynamo: aws.dynamo, table: settings.leasesTable),
                stream: DynamoDBStreamSource(streams: aws.streams, streamARN: try await aws.streamARN(table: settings.eventsTable)),
                send: { _ = try await aws.sqs.sendMessage(queueURL: eventsURL, body: $0) },
                storedEventIDs: {
                    try await aws.dynamo.scanAll(DynamoDBQuery(table: settings.eventsTable, consistentRead: true))
                        .compactMap { $0[EventsTable.eventID]?.string }
                },
                deadLettered: { try await depth(dlqURL) },
                queueDepth: { try await depth(eventsURL) })
        }
    }

    /// Receives one message, polling until one comes (bounded).
    func receiveOne() async throws -> QueueMessage {
        var received: QueueMessage?
        try await eventually("a message is received", within: .seconds(20)) {
            received = try await queue.receive(maxMessages: 1, waitSeconds: 1).first
            return received != nil
        }
        return try #require(received)
    }
}

/// Records visibility changes on their way to the real queue.
final class VisibilityRecording: EventQueue {
    let inner: any EventQueue
    let changes = Locked<[(handle: String, seconds: Int)]>([])
    init(_ inner: any EventQueue) { self.inner = inner }
    func receive(maxMessages: Int, waitSeconds: Int) async throws -> [QueueMessage] {
        try await inner.receive(maxMessages: maxMessages, waitSeconds: waitSeconds)
    }
    func delete(_ receiptHandles: [String]) async throws -> [String] { try await inner.delete(receiptHandles) }
    func changeVisibility(_ receiptHandle: String, seconds: Int) async throws {
        changes.withLock { $0.append((receiptHandle, seconds)) }
        try await inner.changeVisibility(receiptHandle, seconds: seconds)
    }
    func extendVisibility(_ receiptHandles: [String], seconds: Int) async throws {
        changes.withLock { $0 += receiptHandles.map { ($0, seconds) } }
        try await inner.extendVisibility(receiptHandles, seconds: seconds)
    }
}

/// The at-least-once cases — a redelivered message, a storage outage, a restart after a checkpoint
/// — each one test body over the in-memory fakes and over the production adapters on moto.
@Suite("Duplicate, outage and checkpoint on the fakes and on moto", .timeLimit(.minutes(1)))
struct OnBothBackendsTests {
    static let validator = Result { try EventValidator(schemaDirectory: "schema", strictEventTypes: false) }

    func handler(_ ports: BackendPorts, queue: (any EventQueue)? = nil, heartbeat: Duration? = nil,
                 sleep: @escaping @Sendable (Duration) async throws -> Void = { _ in }) throws -> MessageHandler {
        MessageHandler(validator: try Self.validator.get(), store: ports.store, invalidEvents: ports.invalidEvents,
                       queue: queue ?? ports.queue, visibilityTimeoutSeconds: 30, heartbeat: heartbeat, sleep: sleep)
    }

    @Test(arguments: [Backend.memory, .moto])
    func aRedeliveredMessageIsStoredOnce(_ backend: Backend) async throws {
        let ports = try await BackendPorts.make(backend)
        let event = EventGenerator(clients: 1).events(1)[0]
        let handler = try handler(ports)
        try await ports.send(event)
        let first = try await ports.receiveOne()
        guard case .stored = try await handler.handle(first) else { Issue.record("the first delivery is stored"); return }

        // The delete never happens (a crash, or the visibility timeout ran out): the queue hands the
        // same message over again.
        try await ports.queue.changeVisibility(first.receiptHandle, seconds: 0)
        let again = try await ports.receiveOne()
        #expect(again.messageID == first.messageID)
        #expect(again.receiveCount == 2)
        #expect(try await handler.handle(again) == .duplicate, "an idempotent success")
        #expect(try await ports.queue.delete([again.receiptHandle]).isEmpty)

        #expect(try await ports.storedEventIDs() == [event.eventID], "stored once")
        #expect(try await ports.deadLettered() == 0)
        #expect(try await ports.queueDepth() == 0)
    }

    @Test(arguments: [Backend.memory, .moto])
    func aStorageOutageIsRetriedAndNeverDeadLettered(_ backend: Backend) async throws {
        let ports = try await BackendPorts.make(backend, storeOutage: 3)
        let event = EventGenerator(clients: 1).events(1)[0]
        let queue = VisibilityRecording(ports.queue)
        let backoffs = SleepRecorder()
        // A zero heartbeat interval extends visibility after every failed attempt.
        let handler = try handler(ports, queue: queue, heartbeat: .zero, sleep: backoffs.sleep)
        try await ports.send(event)
        let message = try await ports.receiveOne()
        guard case .stored = try await handler.handle(message) else { Issue.record("stored once the outage ends"); return }

        #expect(backoffs.delays.count == 3, "one backoff after each of the 3 failed puts")
        #expect(queue.changes.withLock { $0.map(\.handle) } == Array(repeating: message.receiptHandle, count: 3),
                "the message is kept invisible through the outage")
        #expect(queue.changes.withLock { $0.allSatisfy { $0.seconds == 30 } })
        #expect(try await ports.deadLettered() == 0, "an outage never pushes a valid event to the DLQ")
        #expect(try await ports.storedEventIDs() == [event.eventID])
        #expect(try await ports.queue.receive(maxMessages: 1, waitSeconds: 0).isEmpty, "still invisible until deleted")
        #expect(try await ports.queue.delete([message.receiptHandle]).isEmpty)
        #expect(try await ports.queueDepth() == 0)
    }

    func worker(_ ports: BackendPorts, shardID: String, owner: String, checkpoint: String?, http: FakeHTTP) -> ShardWorker {
        var options = ShardWorker.Options()
        options.emptyPollInterval = .milliseconds(20)
        options.checkpointInterval = .milliseconds(20)
        options.drainTimeout = .milliseconds(100)
        // The hanging endpoint stays open until the drain cancels it.
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["up": Route(url: "http://sink/up"), "down": Route(url: "http://sink/down")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(600)), deadLetters: RecordingDLQ(),
                                    retries: MemoryRetryQueue(), policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in })
        return ShardWorker(shardID: shardID, owner: owner, checkpoint: checkpoint, source: ports.stream, engine: engine,
                           leases: ports.leases, options: options)
    }

    @Test(arguments: [Backend.memory, .moto])
    func aRestartResumesAfterThePersistedCheckpointReplayingOnlyTheUnresolvedTail(_ backend: Backend) async throws {
        let ports = try await BackendPorts.make(backend)
        // 20 stored events; the 8th is for a client whose endpoint never answers.
        for n in 1...20 {
            let item = EventItem(clientID: n == 8 ? "down" : "up", eventKey: "2026-01-01T00:00:00Z#e\(n)", eventID: "e\(n)",
                                 eventType: "t", eventTime: "2026-01-01T00:00:00Z", payload: Array("{\"n\":\(n)}".utf8),
                                 receivedAt: "2026-01-01T00:00:00.000Z")
            #expect(try await ports.store.putIfAbsent(item) == .stored)
        }
        var inserts: [(shardID: String, record: ChangeRecord)] = []
        try await eventually("the stream holds the 20 inserts", within: .seconds(20)) {
            inserts = try await streamRecords(ports.stream)
            return inserts.count >= 20
        }
        let shardID = try #require(inserts.first?.shardID)
        #expect(inserts.count == 20 && inserts.allSatisfy { $0.shardID == shardID })
        #expect(inserts.map { if case let .inserted(job, _) = $0.record.kind { job.eventID } else { "" } } == (1...20).map { "e\($0)" })
        let sequences = inserts.map(\.record.sequenceNumber)

        // The first owner: 8 hangs, so the checkpoint stops at 7 although 9-20 are delivered.
        #expect(try await ports.leases.acquire(shardID: shardID, owner: "first", expiresAtMillis: .max, observed: nil))
        let hanging = FakeHTTP(byURL: ["http://sink/up": [.status(200)], "http://sink/down": [.hang]])
        let shutdown = ShutdownSignal()
        let first = worker(ports, shardID: shardID, owner: "first", checkpoint: nil, http: hanging)
        let running = Task { await first.run(until: shutdown) }
        try await eventually("all 20 attempted", within: .seconds(20)) { hanging.requests.count >= 20 }
        try await eventually("record 7 is checkpointed", within: .seconds(20)) {
            try await persistedCheckpoint(ports.leases, shardID) == sequences[6]
        }
        shutdown.trigger()
        #expect(try await finished(running, within: .seconds(20), "the first owner stops") == .stopped)
        #expect(try await persistedCheckpoint(ports.leases, shardID) == sequences[6], "the checkpoint cannot pass the unresolved 8")

        // A restart: the next owner takes the lease over and reads on after the persisted checkpoint.
        let lease = try #require(try await ports.leases.leases().first { $0.shardID == shardID })
        #expect(try await ports.leases.acquire(shardID: shardID, owner: "second", expiresAtMillis: .max, observed: lease))
        let healthy = FakeHTTP(byURL: ["http://sink/up": [.status(200)], "http://sink/down": [.status(200)]])
        let restart = ShutdownSignal()
        let second = worker(ports, shardID: shardID, owner: "second", checkpoint: lease.checkpoint, http: healthy)
        let rerunning = Task { await second.run(until: restart) }
        try await eventually("the checkpoint reaches the last record", within: .seconds(20)) {
            try await persistedCheckpoint(ports.leases, shardID) == sequences.last
        }
        restart.trigger()
        #expect(try await finished(rerunning, within: .seconds(20), "the second owner stops") == .stopped)
        // The replay is the unresolved tail only: 8 (never delivered) and 9-20 (delivered, not yet
        // checkpointed), each once; nothing before the checkpoint.
        #expect(healthy.bodies().sorted() == (8...20).map { "{\"n\":\($0)}" }.sorted())
    }
}
