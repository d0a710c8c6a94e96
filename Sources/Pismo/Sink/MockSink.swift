import Foundation
import Synchronization
import Transport

/// Settings of the mock webhook receiver (`pismo sink`).
public struct MockSinkOptions: Sendable {
    public var host: String
    public var port: Int
    /// Append one JSON line per request to this file.
    public var logPath: String?
    /// Fraction (0...1) of POSTs answered with `failStatus` instead of 200.
    public var failRate: Double
    public var failStatus: Int
    /// Delay before every POST response.
    public var delayMilliseconds: Int

    public init(host: String = "127.0.0.1", port: Int = 0, logPath: String? = nil, failRate: Double = 0, failStatus: Int = 500, delayMilliseconds: Int = 0) {
        self.host = host
        self.port = port
        self.logPath = logPath
        self.failRate = failRate
        self.failStatus = failStatus
        self.delayMilliseconds = delayMilliseconds
    }
}

/// A webhook receiver for tests and benchmarks: 200 to every POST (or an injected failure),
/// `GET /stats` with counters, optional JSON-lines log of every request including its exact body.
/// Runs in-process (tests) or as `pismo sink`. Thread-safe.
public final class MockSink: Sendable {
    public struct Stats: Sendable, Equatable {
        public var requests = 0
        public var posts = 0
        public var failuresInjected = 0
        public var bodyBytes = 0
    }

    private let server: HTTPServer
    private let state: SinkState

    public var port: Int { server.port }
    public var stats: Stats { state.snapshot() }

    public static func start(_ options: MockSinkOptions, group: EventLoopGroup? = nil) async throws -> MockSink {
        let state = try SinkState(options)
        let handler: HTTPServerHandler
        if options.delayMilliseconds > 0 {
            let delay = Duration.milliseconds(options.delayMilliseconds)
            handler = .async { request in
                if request.method == "POST" { try? await Task.sleep(for: delay) }
                return state.respond(to: request)
            }
        } else {
            handler = .sync { request in state.respond(to: request) }
        }
        let server = try await HTTPServer.start(
            configuration: HTTPServerConfiguration(host: options.host, port: options.port, maxBodyBytes: 64 * 1024 * 1024), group: group, handler: handler)
        return MockSink(server: server, state: state)
    }

    private init(server: HTTPServer, state: SinkState) {
        self.server = server
        self.state = state
    }

    public func shutdown() async {
        await server.shutdown(gracePeriod: .seconds(2))
        state.closeLog()
    }
}

/// The sink's counters and log. Thread-safe: atomics, and the log file behind a mutex.
final class SinkState: Sendable {
    private let requests = Atomic<Int>(0)
    private let posts = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let options: MockSinkOptions
    private let log: Mutex<UnsafeMutablePointer<FILE>?>

    init(_ options: MockSinkOptions) throws {
        self.options = options
        var file: UnsafeMutablePointer<FILE>?
        if let path = options.logPath {
            file = fopen(path, "a")
            if file == nil { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        }
        log = Mutex(file)
    }

    func respond(to request: HTTPServerRequest) -> HTTPResponse {
        requests.wrappingAdd(1, ordering: .relaxed)
        if request.method == "GET" && request.path == "/stats" { return statsResponse() }
        guard request.method == "POST" else { return HTTPResponse(status: 200) }
        posts.wrappingAdd(1, ordering: .relaxed)
        bytes.wrappingAdd(request.body.count, ordering: .relaxed)
        let fail = options.failRate > 0 && Double.random(in: 0..<1) < options.failRate
        if fail { failures.wrappingAdd(1, ordering: .relaxed) }
        let status = fail ? options.failStatus : 200
        writeLogLine(request, status: status)
        return HTTPResponse(status: status)
    }

    func snapshot() -> MockSink.Stats {
        MockSink.Stats(
            requests: requests.load(ordering: .relaxed), posts: posts.load(ordering: .relaxed),
            failuresInjected: failures.load(ordering: .relaxed), bodyBytes: bytes.load(ordering: .relaxed))
    }

    private func statsResponse() -> HTTPResponse {
        let s = snapshot()
        let json = "{\"requests\":\(s.requests),\"posts\":\(s.posts),\"failures_injected\":\(s.failuresInjected),\"bytes\":\(s.bodyBytes)}"
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(json.utf8))
    }

    /// One JSON object per line: time, method, path, status, webhook-id, body size and the body
    /// itself (`body` when it is UTF-8, else `body_base64`) so tests can check byte identity.
    private func writeLogLine(_ request: HTTPServerRequest, status: Int) {
        guard options.logPath != nil else { return }
        var line = "{\"time\":\(JSONText.quote(ISO8601DateFormatter().string(from: Date())))"
        line += ",\"method\":\(JSONText.quote(request.method)),\"path\":\(JSONText.quote(String(request.target)))"
        line += ",\"status\":\(status),\"webhook_id\":\(request.headers["webhook-id"].map(JSONText.quote) ?? "null")"
        line += ",\"bytes\":\(request.body.count)"
        if let text = String(validating: request.body, as: UTF8.self) {
            line += ",\"body\":\(JSONText.quote(text))"
        } else {
            line += ",\"body_base64\":\(JSONText.quote(Data(request.body).base64EncodedString()))"
        }
        line += "}\n"
        log.withLock { file in
            guard let file else { return }
            fputs(line, file)
            fflush(file)
        }
    }

    func closeLog() {
        log.withLock { file in
            if let file { fclose(file) }
            file = nil
        }
    }
}

enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
