import Transport
@testable import Pismo

struct FixedRoutes: RouteStore {
    let routes: [String: Route]
    func route(for clientID: String) async throws -> Route? { routes[clientID] }
}

/// Fails the first `failures` lookups (a routes-table outage), then answers.
final class FlakyRoutes: RouteStore {
    let inner: FixedRoutes
    let remainingFailures: Locked<Int>
    init(_ routes: [String: Route], failures: Int) {
        inner = FixedRoutes(routes: routes)
        remainingFailures = Locked(failures)
    }
    func route(for clientID: String) async throws -> Route? {
        let fail = remainingFailures.withLock { n in defer { n -= 1 }; return n > 0 }
        if fail { throw AWSError.outage("dynamodb", "GetItem") }
        return try await inner.route(for: clientID)
    }
}

final class RecordingDLQ: DeadLetterPublisher {
    let letters = Locked<[(payload: [UInt8], letter: DeadLetter)]>([])
    let remainingFailures: Locked<Int>
    init(failures: Int = 0) { remainingFailures = Locked(failures) }

    func publish(payload: [UInt8], letter: DeadLetter) async throws {
        let fail = remainingFailures.withLock { n in defer { n -= 1 }; return n > 0 }
        if fail { throw AWSError.outage("sqs", "SendMessage") }
        letters.withLock { $0.append((payload, letter)) }
    }
    var all: [DeadLetter] { letters.withLock { $0.map(\.letter) } }
}

/// The retry queue in memory: what the engine schedules is received by the worker at once (delays
/// are recorded, not waited out), hides and deletes are recorded.
final class MemoryRetryQueue: RetryScheduler, RetryQueue {
    struct Entry: Equatable { let handle: String; let body: String; var receives: Int }
    let scheduled = Locked<[(retry: PendingRetry, delay: Duration)]>([])
    let waiting = Locked<[Entry]>([])
    let hidden = Locked<[(handle: String, seconds: Int)]>([])
    let deleted = Locked<[String]>([])
    let remainingFailures: Locked<Int>
    private let counter = Locked(0)

    init(failures: Int = 0) { remainingFailures = Locked(failures) }

    func schedule(_ retry: PendingRetry, delay: Duration) async throws {
        let fail = remainingFailures.withLock { n in defer { n -= 1 }; return n > 0 }
        if fail { throw AWSError.outage("sqs", "SendMessage") }
        scheduled.withLock { $0.append((retry, delay)) }
        put(retry.json)
    }

    /// Adds a raw message body, as any producer could.
    func put(_ body: String, receives: Int = 0) {
        let handle = counter.withLock { n in n += 1; return "rh-\(n)" }
        waiting.withLock { $0.append(Entry(handle: handle, body: body, receives: receives)) }
    }

    func receive(maxMessages: Int, waitSeconds: Int, visibilitySeconds: Int) async throws -> [RetryMessage] {
        let batch = waiting.withLock { w -> [Entry] in
            let batch = Array(w.prefix(maxMessages))
            w.removeFirst(batch.count)
            return batch
        }
        if batch.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
        return batch.map { RetryMessage(receiptHandle: $0.handle, body: $0.body, receiveCount: $0.receives + 1) }
    }

    func hide(_ receiptHandle: String, seconds: Int) async throws { hidden.withLock { $0.append((receiptHandle, seconds)) } }
    func delete(_ receiptHandle: String) async throws { deleted.withLock { $0.append(receiptHandle) } }

    /// The next retry waiting, taken off the queue (tests that drive the engine themselves).
    func next() -> PendingRetry? {
        waiting.withLock { w in w.isEmpty ? nil : PendingRetry(json: w.removeFirst().body) }
    }
}

/// The Events table as the retry worker reads it.
struct MemoryStoredEvents: StoredEvents {
    let jobs: [String: DeliveryJob]
    init(_ jobs: [DeliveryJob]) { self.jobs = Dictionary(jobs.map { ($0.clientID + "|" + $0.eventKey, $0) }, uniquingKeysWith: { a, _ in a }) }
    func storedEvent(clientID: String, eventKey: String) async throws -> DeliveryJob? { jobs[clientID + "|" + eventKey] }
}

extension DeliveryEngine {
    /// Delivers `job` and then every follow-up it schedules, as the retry worker would, ignoring the
    /// delays; returns each step's result.
    func deliverThroughRetries(_ job: DeliveryJob, queue: MemoryRetryQueue) async throws -> [DeliveryResult] {
        var results = [try await deliver(job)]
        while let retry = queue.next() {
            results.append(try await deliver(job, attempt: retry.attempt, firstAttemptAtMillis: retry.firstAttemptAtMillis,
                                             lastStatus: retry.lastStatus))
        }
        return results
    }
}

/// Routes that keep their health, as the routes table does, and record every health write.
final class HealthRoutes: RouteStore, RouteHealth {
    let routes: Locked<[String: Route]>
    let writes = Locked<[String]>([])
    init(_ routes: [String: Route]) { self.routes = Locked(routes) }

    func route(for clientID: String) async throws -> Route? { routes.withLock { $0[clientID] } }
    func disable(clientID: String, endpointID: String, reason: String, at: String) async throws {
        writes.withLock { $0.append("disable \(Self.name(clientID, endpointID)): \(reason)") }
        update(clientID, endpointID) { $0.disabledAt = at; $0.disabledReason = reason }
    }
    func markFailing(clientID: String, endpointID: String, sinceMillis: Int64) async throws {
        writes.withLock { $0.append("failing \(Self.name(clientID, endpointID)) \(sinceMillis)") }
        update(clientID, endpointID) { if $0.failingSinceMillis == nil { $0.failingSinceMillis = sinceMillis } }
    }
    func clearFailing(clientID: String, endpointID: String) async throws {
        writes.withLock { $0.append("healthy \(Self.name(clientID, endpointID))") }
        update(clientID, endpointID) { $0.failingSinceMillis = nil }
    }
    /// "acme" for the default endpoint (as the writes were named before endpoints), "acme/billing" else.
    private static func name(_ clientID: String, _ endpointID: String) -> String {
        endpointID == Endpoint.defaultID ? clientID : clientID + "/" + endpointID
    }
    private func update(_ clientID: String, _ endpointID: String, _ change: (inout Endpoint) -> Void) {
        routes.withLock { table in
            guard let index = table[clientID]?.endpoints.firstIndex(where: { $0.id == endpointID }) else { return }
            change(&table[clientID]!.endpoints[index])
        }
    }
}

/// Tests written for single-URL routes read and change the "default" endpoint through these.
extension Route {
    private var defaultIndex: Int { endpoints.firstIndex { $0.id == Endpoint.defaultID } ?? 0 }
    var url: String { endpoints[defaultIndex].url }
    var disabledAt: String? {
        get { endpoints[defaultIndex].disabledAt }
        set { endpoints[defaultIndex].disabledAt = newValue }
    }
    var disabledReason: String? {
        get { endpoints[defaultIndex].disabledReason }
        set { endpoints[defaultIndex].disabledReason = newValue }
    }
    var failingSinceMillis: Int64? {
        get { endpoints[defaultIndex].failingSinceMillis }
        set { endpoints[defaultIndex].failingSinceMillis = newValue }
    }
}
