import Foundation
import Testing
import Transport
@testable import Pismo

/// The retry worker: a due retry is attempted with the stored payload and deleted; one not yet due is
/// hidden until it is; nothing can loop forever.
@Suite(.timeLimit(.minutes(1))) struct RetryWorkerTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let nowMillis: Int64 = 1_700_000_000_000
    let stored = DeliveryJob(clientID: "acme", eventID: "evt-1", eventType: "t", payload: Array(#"{"n":1}"#.utf8), eventKey: "k1")

    func retry(attempt: Int = 2, dueIn millis: Int64 = 0) -> PendingRetry {
        PendingRetry(clientID: "acme", eventKey: "k1", eventID: "evt-1", attempt: attempt,
                     firstAttemptAtMillis: Self.nowMillis - 10_000, dueAtMillis: Self.nowMillis + millis, lastStatus: 503)
    }

    func worker(_ http: FakeHTTP, queue: MemoryRetryQueue, dlq: RecordingDLQ, events: [DeliveryJob]? = nil,
                maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500),
                prepare: (DeliveryEngine) -> Void = { _ in }) -> RetryWorker {
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["acme": Route(url: "http://sink/acme")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(1)), deadLetters: dlq, retries: queue,
                                    policy: DeliveryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay),
                                    sleep: { _ in }, now: { Self.now })
        prepare(engine)
        return RetryWorker(queue: queue, events: MemoryStoredEvents(events ?? [stored]), engine: engine, deadLetters: dlq,
                           sleep: { _ in }, now: { Self.now })
    }

    func message(_ body: String, receives: Int = 1) -> RetryMessage {
        RetryMessage(receiptHandle: "rh", body: body, receiveCount: receives)
    }

    @Test func aDueRetryIsAttemptedWithTheStoredPayloadAndDeleted() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq).handle(message(retry().json))
        #expect(http.requests.map(\.body) == [stored.payload])
        #expect(http.requests.first?.headers["webhook-id"] == "evt-1", "the same webhook-id as the first attempt")
        #expect(queue.deleted.withLock { $0 } == ["rh"])
        #expect(dlq.all.isEmpty && queue.scheduled.withLock { $0.isEmpty })
    }

    @Test func aFailedRetrySchedulesTheNextAttemptKeepingTheFirstAttemptTime() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(502)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq).handle(message(retry().json))
        let next = try #require(queue.scheduled.withLock { $0.first?.retry })
        #expect(next.attempt == 3 && next.firstAttemptAtMillis == Self.nowMillis - 10_000 && next.lastStatus == 502)
        #expect(queue.deleted.withLock { $0 } == ["rh"], "the old message goes once the next one is stored")
    }

    @Test func theLastAttemptDeadLettersCountingEveryAttempt() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.refuse]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq).handle(message(retry(attempt: 3).json))
        #expect(dlq.all.map(\.attempts) == [3])
        #expect(dlq.all.first?.lastStatus == 503, "the last status actually received, from an earlier attempt")
        #expect(dlq.letters.withLock { $0.first?.payload } == stored.payload)
    }

    @Test func aRetryNotYetDueIsHiddenUntilItIsWithoutAnAttempt() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq).handle(message(retry(dueIn: 2 * 3_600_000 + 1).json))
        #expect(http.requests.isEmpty)
        #expect(queue.hidden.withLock { $0.map(\.seconds) } == [7201])
        #expect(queue.deleted.withLock { $0.isEmpty })
        // Ten hours away: hidden at most 12 h (SQS's limit) at a time.
        await worker(http, queue: queue, dlq: dlq).handle(message(retry(dueIn: 30 * 3_600_000).json))
        #expect(queue.hidden.withLock { $0.last?.seconds } == 43_199)
    }

    /// Ten failures in a row open acme's circuit (the breaker's defaults).
    static func openCircuit(_ engine: DeliveryEngine) {
        for _ in 0..<10 { engine.breaker.record(DeliveryEngine.endpointKey(clientID: "acme"), success: false) }
    }

    /// While the circuit is open a due retry is hidden where it is for the park delay: no attempt, no
    /// event read (the Events table here is empty: a read would dead-letter it), no new message.
    @Test func aDueRetryOfAnOpenCircuitIsHiddenInPlaceWithoutReadingTheEvent() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq, events: [], prepare: Self.openCircuit).handle(message(retry().json))
        #expect(http.requests.isEmpty && dlq.all.isEmpty)
        #expect(queue.hidden.withLock { $0.map(\.seconds) } == [30], "until the next probe at the earliest")
        #expect(queue.deleted.withLock { $0.isEmpty } && queue.scheduled.withLock { $0.isEmpty })
    }

    /// A parked event lives no longer than its schedule: past it, the open circuit no longer hides it.
    @Test func anOpenCircuitsRetryPastItsLifetimeIsDeadLettered() async throws {
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        var old = retry()
        old.firstAttemptAtMillis = Self.nowMillis - 3_600_000
        await worker(FakeHTTP(), queue: queue, dlq: dlq, prepare: Self.openCircuit).handle(message(old.json, receives: 3))
        #expect(dlq.all.map(\.reason.code) == [.attemptsExhausted])
        #expect(queue.hidden.withLock { $0.isEmpty } && queue.deleted.withLock { $0 } == ["rh"])
    }

    @Test func anUnreadableMessageIsDeadLetteredOnceNotRetried() async throws {
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(FakeHTTP(), queue: queue, dlq: dlq).handle(message("not a retry"))
        #expect(dlq.all.map(\.reason.code) == [.retryUnreadable])
        #expect(dlq.letters.withLock { $0.first?.payload } == Array("not a retry".utf8))
        #expect(queue.deleted.withLock { $0 } == ["rh"])
    }

    @Test func aRetryWhoseEventIsGoneIsDeadLetteredWithTheReference() async throws {
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(FakeHTTP(), queue: queue, dlq: dlq, events: []).handle(message(retry().json))
        #expect(dlq.all.map(\.reason.code) == [.eventMissing])
        #expect(queue.deleted.withLock { $0 } == ["rh"])
    }

    @Test func aMessageHandedOutTooOftenIsDeadLetteredNotLooped() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        await worker(http, queue: queue, dlq: dlq).handle(message(retry().json, receives: 101))
        #expect(http.requests.isEmpty)
        #expect(dlq.all.map(\.reason.code) == [.attemptsExhausted])
        #expect(queue.deleted.withLock { $0 } == ["rh"])
    }

    @Test func aDeadLetterQueueOutageLeavesTheMessageToComeBack() async throws {
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ(failures: 1)
        await worker(FakeHTTP(), queue: queue, dlq: dlq).handle(message("not a retry"))
        #expect(queue.deleted.withLock { $0.isEmpty }, "not deleted: it reappears after its visibility timeout")
    }

    @Test func theWorkerDrainsTheQueueUntilShutdown() async throws {
        let http = FakeHTTP(byURL: ["http://sink/acme": [.status(500), .status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        queue.put(retry().json)
        let shutdown = ShutdownSignal()
        // A zero delay: attempt 3 is due as soon as it is scheduled.
        let running = Task { await worker(http, queue: queue, dlq: dlq, baseDelay: .zero).run(until: shutdown) }
        try await eventually("delivered on attempt 3", within: .seconds(10)) { http.requests.count == 2 && queue.deleted.withLock { $0.count } == 2 }
        shutdown.trigger()
        _ = try await finished(running, "the worker stops")
        #expect(queue.scheduled.withLock { $0.map(\.retry.attempt) } == [3])
        #expect(dlq.all.isEmpty)
    }

    @Test func aHangingEndpointsRetriesDoNotHoldBackOthers() async throws {
        let http = FakeHTTP(byURL: ["http://sink/slow": [.hang], "http://sink/fast": [.status(200)]])
        let queue = MemoryRetryQueue(), dlq = RecordingDLQ()
        let jobs = (0..<25).map { DeliveryJob(clientID: "slow", eventID: "s\($0)", eventType: "t", payload: [], eventKey: "s\($0)") }
            + [DeliveryJob(clientID: "fast", eventID: "f", eventType: "t", payload: [], eventKey: "f")]
        let engine = DeliveryEngine(routes: FixedRoutes(routes: ["slow": Route(url: "http://sink/slow"), "fast": Route(url: "http://sink/fast")]),
                                    sender: WebhookSender(http: http, timeout: .seconds(600)), deadLetters: dlq, retries: queue,
                                    policy: DeliveryPolicy(maxAttempts: 3), sleep: { _ in }, now: { Self.now })
        let worker = RetryWorker(queue: queue, events: MemoryStoredEvents(jobs), engine: engine, deadLetters: dlq,
                                 sleep: { _ in try await Task.sleep(for: .milliseconds(5)) }, now: { Self.now })
        for job in jobs {
            queue.put(PendingRetry(clientID: job.clientID, eventKey: job.eventKey, eventID: job.eventID, attempt: 2,
                                   firstAttemptAtMillis: Self.nowMillis, dueAtMillis: Self.nowMillis).json)
        }
        let shutdown = ShutdownSignal()
        let running = Task { await worker.run(until: shutdown) }
        // The fast client's retry sits behind 25 hanging ones, more than two pollers' batches: still delivered.
        try await eventually("the fast client's retry is delivered", within: .seconds(10)) { http.requestCount(url: "http://sink/fast") == 1 }
        #expect(http.requestCount(url: "http://sink/slow") == 8, "the slow client's lane holds 8 attempts; the rest wait or are parked")
        shutdown.trigger()
        running.cancel()
        _ = try await finished(Task { await running.value }, "the worker stops once its hanging attempts are cancelled")
    }
}
