/// A request as the server hands it to a handler: head fields decoded, body complete (de-chunked,
/// still content-encoded if the client gzipped it).
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// origin-form request target: path plus "?query".
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], versionMinor: Int = 1) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.versionMinor = versionMinor
    }

    /// The target without its query string.
    public var path: Substring {
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }
}

/// How the server calls application code.
///
/// `.sync` runs on the loop thread, inline, between reading and writing: the fastest path, for
/// handlers that do not block (the webhook sink, health checks). `.async` starts a task whose
/// executor preference is the connection's loop, so it also runs on the loop thread when it does
/// not hop elsewhere; requests on one connection are still answered in order.
public enum HTTPServerHandler: Sendable {
    case sync(@Sendable (HTTPServerRequest) -> HTTPResponse)
    case async(@Sendable (HTTPServerRequest) async -> HTTPResponse)
}

extension HTTPServer {
    public struct Configuration: Sendable {
        /// Numeric address to bind ("127.0.0.1", "::1", "0.0.0.0").
        public var host = "127.0.0.1"
        /// 0 picks a free port; read it back from `HTTPServer.port`.
        public var port = 0
        public var backlog: Int32 = 1024
        public var maxHeaderBytes = 64 * 1024
        public var maxBodyBytes = 16 * 1024 * 1024
        /// From the first byte of a request until it is complete (slowloris guard).
        public var requestReadTimeout: Duration = .seconds(10)
        /// A keep-alive connection with nothing in flight is closed after this.
        public var idleTimeout: Duration = .seconds(60)
        /// Loops to accept on (one SO_REUSEPORT listener each); nil = every loop of the group.
        public var loopCount: Int?

        public init() {}
    }
}
