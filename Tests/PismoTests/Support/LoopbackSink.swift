import Foundation
import Transport
@testable import Pismo

/// A webhook endpoint on 127.0.0.1 built on our `HTTPServer`, scripted per path, that records every
/// request it receives with its own receipt and answer instants. Tests assert on what the endpoint
/// itself saw (bodies, headers, order, whether a request was still unanswered when another arrived),
/// which is a functional view of delivery, not a timing measurement of Pismo.
///
/// Threading: the handler runs on the server's loops; the log is behind a mutex, so every accessor
/// may be called from any task.
final class LoopbackSink: Sendable {
    /// One request as the endpoint saw it. `answeredAt` stays nil while the script is still holding it.
    struct Received: Sendable {
        let index: Int
        let path: String
        let body: [UInt8]
        let headers: HTTPHeaders
        /// The client's address: which connection carried the request.
        let remoteAddress: String
        let receivedAt: ContinuousClock.Instant
        var answeredAt: ContinuousClock.Instant?
        var status: Int?
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// What to answer the `nth` (0-based) request to a path; may suspend to hold the request open.
    typealias Script = @Sendable (_ nth: Int) async -> HTTPResponse

    /// Shared by the server's handler and the test.
    private final class State: Sendable {
        let log = Locked<[Received]>([])
        let scripts = Locked<[String: Script]>([:])
    }

    let server: HTTPServer
    private let state: State
    /// Opened on `stop()` so that no scripted hold outlives the test.
    let releaseAll = ShutdownSignal()

    private init(server: HTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    /// Starts with no scripts: every path answers 200 until `on(_:_:)` says otherwise. `port` 0 lets
    /// the kernel pick (a fixed one is for an endpoint that comes back where a refusing port was).
    static func start(port: Int = 0) async throws -> LoopbackSink {
        let state = State()
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port), handler: .async { request in
            let path = String(request.path)
            let (index, nth) = state.log.withLock { entries -> (Int, Int) in
                let nth = entries.lazy.filter { $0.path == path }.count
                entries.append(Received(index: entries.count, path: path, body: request.body, headers: request.headers,
                                        remoteAddress: request.remoteAddress, receivedAt: .now))
                return (entries.count - 1, nth)
            }
            let script = state.scripts.withLock { $0[path] }
            let response = await script?(nth) ?? HTTPResponse(status: 200)
            state.log.withLock {
                $0[index].answeredAt = .now
                $0[index].status = response.status
            }
            return response
        })
        return LoopbackSink(server: server, state: state)
    }

    /// Scripts the answers of `path`; returns its URL for the routes table.
    @discardableResult
    func on(_ path: String, _ script: @escaping Script) -> String {
        state.scripts.withLock { $0[path] = script }
        return url(path)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    var requests: [Received] { state.log.withLock { $0 } }

    func requests(to path: String) -> [Received] { state.log.withLock { $0.filter { $0.path == path } } }

    /// Bodies that this path accepted with a 2xx, in receipt order.
    func delivered(to path: String) -> [String] {
        requests(to: path).filter { ($0.status ?? 0) / 100 == 2 }.map(\.bodyText)
    }

    /// Diagnostics for a failed exactly-once expectation: every body accepted more than once, with
    /// the connection and instant of each acceptance (same connection within microseconds would point
    /// at the server; different connections at the sender).
    func duplicateAcceptances() -> String {
        let all = requests
        guard let start = all.first?.receivedAt else { return "no requests" }
        let accepted = all.filter { ($0.status ?? 0) / 100 == 2 }
        let counts = Dictionary(grouping: accepted, by: \.bodyText).filter { $0.value.count > 1 }
        if counts.isEmpty { return "no duplicate acceptances" }
        return counts.map { body, hits in
            "\(body.eventID): " + hits.map { "#\($0.index) \($0.path) from \($0.remoteAddress) at \($0.receivedAt - start)" }
                .joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// Releases every held request, then closes the server (also after a failed test).
    func stop() async {
        releaseAll.trigger()
        await server.shutdown(gracePeriod: .seconds(1))
    }

    // MARK: scripts

    static func always(_ status: Int) -> Script {
        { _ in HTTPResponse(status: status) }
    }

    /// `failures` answers of `status` (with the given headers), then 200.
    static func failing(_ failures: Int, with status: Int, headers: HTTPHeaders = HTTPHeaders()) -> Script {
        { nth in nth < failures ? HTTPResponse(status: status, headers: headers) : HTTPResponse(status: 200) }
    }

    /// Holds every request until `gate` is triggered (or the sink stops), then answers `status`.
    func holding(until gate: ShutdownSignal, then status: Int = 200) -> Script {
        { [releaseAll] _ in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await gate.wait() }
                group.addTask { await releaseAll.wait() }
                await group.next()
                group.cancelAll()
            }
            return HTTPResponse(status: status)
        }
    }
}

/// Runs `body` with a started sink and stops the sink afterwards, also when `body` throws.
func withLoopbackSink<T>(_ body: (LoopbackSink) async throws -> T) async throws -> T {
    try await usingThenStopping(try await LoopbackSink.start(), stop: { await $0.stop() }, body)
}
