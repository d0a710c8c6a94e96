import Foundation
import Transport
@testable import Pismo

/// The tests' one in-memory `HTTPExecuting`, for the AWS clients and the webhook sender alike.
///
/// Each request takes the next scripted `Reply`: from its URL's own script when one is given (the
/// last reply of a URL's script repeats), otherwise from the shared sequence (each reply used once),
/// otherwise the fallback. A request nothing is scripted for is refused, as a loopback port with
/// nothing listening refuses it. Every request and its timeout are recorded.
///
/// Failures are the real `HTTPClientError` values our `HTTPClient` throws, naming the request's own
/// host and port, so code that classifies transport errors is tested against what it really gets
/// (a fake that invented its own "read timeout" error once hid that real timeouts were never
/// classified as timeouts).
final class FakeHTTP: HTTPExecuting, Sendable {
    enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Computes the response (or throws) from the request.
        case answer(@Sendable (HTTPRequest) throws -> HTTPResponse)
        /// Throws exactly this error.
        case fail(HTTPClientError)
        /// `HTTPClientError.connectionRefused` for the request's host and port: nothing listens.
        case refuse
        /// `HTTPClientError.connectTimeout` for the request's host and port: the SYN went unanswered.
        case timeOutConnecting
        /// `HTTPClientError.requestTimeout` for the request's host at once: the timeout was spent.
        case timeOut
        /// `HTTPClientError.connectionReset` for the request's host: the peer hung up mid-exchange.
        case reset
        /// Passes the request on to a real transport (an outage that ends: refusals, then moto).
        case forward(any HTTPExecuting)
        /// Never answers: like a peer that accepts and then stays silent, the exchange ends with
        /// `.requestTimeout` once the caller's timeout has passed, or earlier with CancellationError.
        case hang
    }

    private struct State {
        var byURL: [String: [Reply]]
        var sequence: [Reply]
        var requests: [HTTPRequest] = []
        var timeouts: [Duration] = []
    }
    private let state: Locked<State>
    private let fallback: Reply?

    /// Replies in order, one per request whatever its URL, then `fallback` for every further one.
    init(_ sequence: [Reply] = [], fallback: Reply? = nil) {
        state = Locked(State(byURL: [:], sequence: sequence))
        self.fallback = fallback
    }

    /// Replies per URL; the last reply for a URL answers every further request to it.
    init(byURL script: [String: [Reply]], fallback: Reply? = nil) {
        state = Locked(State(byURL: script, sequence: []))
        self.fallback = fallback
    }

    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let reply: Reply? = state.withLock { s in
            s.requests.append(request)
            s.timeouts.append(timeout)
            if var replies = s.byURL[request.url], let first = replies.first {
                if replies.count > 1 { replies.removeFirst(); s.byURL[request.url] = replies }
                return first
            }
            return s.sequence.isEmpty ? nil : s.sequence.removeFirst()
        }
        let (host, port) = Self.hostAndPort(request.url)
        switch reply ?? fallback ?? .refuse {
        case let .status(code, headers, body): return HTTPResponse(status: code, headers: HTTPHeaders(headers), body: body)
        case let .answer(respond): return try respond(request)
        case let .fail(error): throw error
        case .refuse: throw HTTPClientError.connectionRefused(host: host, port: port)
        case .timeOutConnecting: throw HTTPClientError.connectTimeout(host: host, port: port)
        case .timeOut: throw HTTPClientError.requestTimeout(host: host)
        case .reset: throw HTTPClientError.connectionReset(host: host)
        case let .forward(transport): return try await transport.execute(request, timeout: timeout)
        case .hang:
            try await Task.sleep(for: timeout)
            throw HTTPClientError.requestTimeout(host: host)
        }
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var timeouts: [Duration] { state.withLock { $0.timeouts } }
    func requestCount(url: String) -> Int { state.withLock { $0.requests.filter { $0.url == url }.count } }
    /// The bodies sent (to `url`, when given), as text, in the order they were sent.
    func bodies(url: String? = nil) -> [String] {
        state.withLock { $0.requests.filter { url == nil || $0.url == url }.map { String(decoding: $0.body, as: UTF8.self) } }
    }

    /// An AWS JSON answer: `status`, `body`, and a request id header.
    static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
        .status(status, headers: [("x-amzn-RequestId", "req-1")] + headers, body: Array(body.utf8))
    }

    /// Host and port as the real client names them in its errors (port defaulted by scheme).
    static func hostAndPort(_ url: String) -> (String, Int) {
        let components = URLComponents(string: url)
        let host = components?.host ?? url
        return (host, components?.port ?? (components?.scheme == "https" ? 443 : 80))
    }
}
