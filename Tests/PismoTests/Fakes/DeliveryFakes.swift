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
