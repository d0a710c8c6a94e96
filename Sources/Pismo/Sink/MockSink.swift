import Foundation
import PismoJSON
import Transport

/// The mock webhook sink (`pismo sink`): answers 200 to every POST, optionally logs each request
/// as one JSON line, injects failures and delays on demand, and counts everything for `GET /stats`.
/// It doubles as our HTTP server benchmark target, so the plain path does no allocation beyond the
/// response it returns.
public final class MockSink: Sendable {
    public struct Options: Sendable {
        public var host = "0.0.0.0"
        public var port = 8080
        /// Fraction of POSTs answered with `failStatus` instead of 200.
        public var failRate = 0.0
        public var failStatus = 500
        public var delay: Duration = .zero
        /// One JSON line per request: time, time_unix, path, webhook_id, bytes, body.
        public var logPath: String?
        public init() {}
    }

    struct Counters {
        var requests = 0, posts = 0, failuresInjected = 0, bodyBytes = 0
    }

    public let server: HTTPServer
    private let counters: Locked<Counters>
    private let log: LogFile?

    private init(server: HTTPServer, counters: Locked<Counters>, log: LogFile?) {
        self.server = server
        self.counters = counters
        self.log = log
    }

    public var port: Int { server.port }

    public static func start(_ options: Options) async throws -> MockSink {
        let counters = Locked(Counters())
        let log = try options.logPath.map(LogFile.init(path:))
        let ok = HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "text/plain")]), body: Array("ok\n".utf8))
        let failed = HTTPResponse(status: options.failStatus, headers: HTTPHeaders([("content-type", "text/plain")]),
                                  body: Array("injected failure\n".utf8))
        let respond: @Sendable (HTTPServerRequest) -> HTTPResponse = { request in
            if request.method == "GET" && request.path == "/stats" {
                return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "application/json")]),
                                    body: Array(counters.withLock { Self.statsJSON($0) }.utf8))
            }
            let fail = request.method == "POST" && options.failRate > 0 && Double.random(in: 0..<1) < options.failRate
            counters.withLock {
                $0.requests += 1
                if request.method == "POST" { $0.posts += 1; $0.bodyBytes += request.body.count }
                if fail { $0.failuresInjected += 1 }
            }
            log?.write(request)
            guard request.method == "POST" else {
                return HTTPResponse(status: 405, headers: HTTPHeaders([("allow", "POST")]), body: [])
            }
            return fail ? failed : ok
        }
        let handler: HTTPServerHandler = options.delay == .zero
            ? .sync(respond)
            : .async { request in
                try? await Task.sleep(for: options.delay)
                return respond(request)
            }
        let server = try await HTTPServer.start(configuration: serverConfiguration(options), handler: handler)
        return MockSink(server: server, counters: counters, log: log)
    }

    /// Webhooks are POSTs of one event (SQS caps a message at 256 KiB): 1 MiB bodies for POST,
    /// none for anything else, and the server's other limits (docs/operations.md, "Listening ports").
    static func serverConfiguration(_ options: Options) -> HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: options.host, port: options.port, maxHeaderBytes: 16 * 1024, maxBodyBytes: 1024 * 1024,
            requestReadTimeout: .seconds(30), maxConnections: 1024,
            bodyLimit: { method, _ in method == "POST" ? 1024 * 1024 : 0 })
    }

    /// (requests, posts, failures injected, body bytes) so far.
    public var stats: (requests: Int, posts: Int, failuresInjected: Int, bodyBytes: Int) {
        counters.withLock { ($0.requests, $0.posts, $0.failuresInjected, $0.bodyBytes) }
    }

    public func shutdown() async {
        await server.shutdown()
        log?.close()
    }

    private static func statsJSON(_ c: Counters) -> String {
        #"{"requests":\#(c.requests),"posts":\#(c.posts),"failures_injected":\#(c.failuresInjected),"body_bytes":\#(c.bodyBytes)}"#
    }
}

/// Appends request records to a file; one lock so lines never interleave.
final class LogFile: Sendable {
    private let handle: Locked<FileHandle?>

    /// Opens `path` for appending, creating it when missing. Never replaces what is there:
    /// `FileManager.createFile` writes a new file and renames it over the path, which turned a
    /// `--log /dev/null` run as root into a regular /dev/null for the whole machine.
    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PismoError.invalidInput("cannot write the sink log at \(path): \(String(cString: strerror(errno)))") }
        self.handle = Locked(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
    }

    func write(_ request: HTTPServerRequest) {
        let now = Date()
        var writer = JSONWriter(capacity: 256 + request.body.count)
        writer.beginObject()
        writer.key("time"); writer.string(UTCTime.iso8601(now))
        writer.key("time_unix"); writer.double(now.timeIntervalSince1970)
        writer.key("method"); writer.string(request.method)
        writer.key("path"); writer.string(String(request.path))
        writer.key("webhook_id"); request.headers["webhook-id"].map { writer.string($0) } ?? writer.null()
        writer.key("webhook_timestamp"); request.headers["webhook-timestamp"].map { writer.string($0) } ?? writer.null()
        writer.key("webhook_signature"); request.headers["webhook-signature"].map { writer.string($0) } ?? writer.null()
        writer.key("bytes"); writer.int(request.body.count)
        writer.key("body"); writer.string(String(decoding: request.body, as: UTF8.self))
        writer.endObject()
        var line = writer.bytes
        line.append(0x0A)
        handle.withLock { $0?.write(Data(line)) }
    }

    func close() {
        handle.withLock { $0?.closeFile(); $0 = nil }
    }
}
