import Transport
@testable import Pismo

/// An HTTP transport scripted per URL: each request pops the next scripted reply for its URL
/// (the last one repeats). `.hang` never answers until the task is cancelled.
final class StubWebhookHTTP: HTTPExecuting {
    enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [])
        case error(String)
        case hang
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    private let script: Locked<[String: [Reply]]>
    let requests = Locked<[HTTPRequest]>([])

    init(_ script: [String: [Reply]]) {
        self.script = Locked(script)
    }

    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        requests.withLock { $0.append(request) }
        let reply: Reply = script.withLock { all in
            guard var replies = all[request.url], let first = replies.first else { return .error("no script for \(request.url)") }
            if replies.count > 1 { replies.removeFirst(); all[request.url] = replies }
            return first
        }
        switch reply {
        case let .status(code, headers): return HTTPResponse(status: code, headers: HTTPHeaders(headers))
        case let .error(message): throw Failure(description: message)
        case .hang:
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    func requestCount(url: String) -> Int { requests.withLock { $0.filter { $0.url == url }.count } }
}

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
        if fail { throw StubWebhookHTTP.Failure(description: "routes table unavailable") }
        return try await inner.route(for: clientID)
    }
}

final class RecordingDLQ: DeadLetterPublisher {
    let letters = Locked<[(payload: [UInt8], letter: DeadLetter)]>([])
    let remainingFailures: Locked<Int>
    init(failures: Int = 0) { remainingFailures = Locked(failures) }

    func publish(payload: [UInt8], letter: DeadLetter) async throws {
        let fail = remainingFailures.withLock { n in defer { n -= 1 }; return n > 0 }
        if fail { throw StubWebhookHTTP.Failure(description: "SQS unavailable") }
        letters.withLock { $0.append((payload, letter)) }
    }
    var all: [DeadLetter] { letters.withLock { $0.map(\.letter) } }
}
