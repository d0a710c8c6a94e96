/// A request as the server hands it to a handler: head fields as parsed, body de-chunked.
public struct HTTPServerRequest: Sendable {
    public var method: String
    /// The request target as sent (origin-form "/path?query" in practice).
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int
    /// The peer's address ("127.0.0.1:53122").
    public var remoteAddress: String

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], versionMinor: Int = 1, remoteAddress: String = "") {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.versionMinor = versionMinor
        self.remoteAddress = remoteAddress
    }

    /// The target without its query string.
    public var path: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
    }

    /// The query string after "?", if any.
    public var query: Substring? {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
    }
}

/// How the server produces responses. `.sync` runs on the connection's loop thread and must not
/// block (the fast path: no task, no hop). `.async` runs as a task whose executor preference is
/// the connection's loop, so it too starts on that thread; responses on one connection are still
/// sent in request order.
public enum HTTPServerHandler: Sendable {
    case sync(@Sendable (HTTPServerRequest) -> HTTPResponse)
    case async(@Sendable (HTTPServerRequest) async -> HTTPResponse)
}

/// Limits and timeouts of an `HTTPServer`. Defaults suit a local service facing clients we do not
/// fully trust (webhook sink, metrics); each server narrows them where it is built (docs/operations.md,
/// "Listening ports"). Together they bound what one client can cost: descriptors (`maxConnections`),
/// memory (`maxHeaderBytes`, `maxBodyBytes`, `maxPendingOutputBytes`) and time (the timeouts).
public struct HTTPServerConfiguration: Sendable {
    /// The body limit of one request, from its method and path (`nil`: `maxBodyBytes` for all).
    public typealias BodyLimit = @Sendable (_ method: String, _ path: Substring) -> Int

    /// "0.0.0.0", "127.0.0.1", "::1", "::" (numeric).
    public var host: String
    /// 0 picks a free port (see `HTTPServer.port`).
    public var port: Int
    /// Whole request head; larger heads get 431, a longer request line 414, both as soon as the
    /// limit is passed (not when the head ends).
    public var maxHeaderBytes: Int
    /// Request body cap; larger bodies get 413 (as soon as the head declares them). 0: no body at all.
    public var maxBodyBytes: Int
    /// Per-route body caps, each at most `maxBodyBytes` (e.g. 0 for GET-only routes).
    public var bodyLimit: BodyLimit?
    /// A started head must be complete within this time (slowloris), else the connection closes.
    public var headerReadTimeout: Duration
    /// A started request, body included, must be complete within this time: a body trickled one
    /// byte at a time cannot hold the connection forever.
    public var requestReadTimeout: Duration
    /// A connection with nothing read or written for this long is closed (no request in progress,
    /// or a peer that stopped reading our answers).
    public var idleTimeout: Duration
    /// Open connections, over all loops. At the cap a new connection evicts the longest-idle one
    /// that has no request in progress, else it is accepted and closed at once.
    public var maxConnections: Int
    /// Answers queued on one connection before the server stops reading (and parsing) its requests
    /// until the peer has read them: a client that pipelines requests and never reads costs this
    /// much memory, not unbounded.
    public var maxPendingOutputBytes: Int
    /// The kernel's send buffer per connection (SO_SNDBUF; nil: the kernel's autotuning, up to
    /// `net.ipv4.tcp_wmem`'s 4 MiB). `maxPendingOutputBytes` bounds our queue; this bounds what the
    /// kernel takes on top of it from a peer that never reads — every byte of which we had to render.
    public var sendBufferBytes: Int?
    /// How long a listener pauses after an accept failure (EMFILE, ENFILE, ENOBUFS): the
    /// level-triggered listener stays readable, so retrying at once would spin a core.
    public var acceptBackoff: Duration
    public var backlog: Int32
    /// Serve https with this certificate.
    public var tls: TLSServerConfiguration?

    public init(
        host: String = "127.0.0.1", port: Int = 0, maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024,
        headerReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), backlog: Int32 = 1024,
        tls: TLSServerConfiguration? = nil, requestReadTimeout: Duration = .seconds(60), maxConnections: Int = 1024,
        maxPendingOutputBytes: Int = 64 * 1024, acceptBackoff: Duration = .milliseconds(100), bodyLimit: BodyLimit? = nil,
        sendBufferBytes: Int? = nil
    ) {
        self.sendBufferBytes = sendBufferBytes
        self.host = host
        self.port = port
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.backlog = backlog
        self.tls = tls
        self.requestReadTimeout = requestReadTimeout
        self.maxConnections = maxConnections
        self.maxPendingOutputBytes = maxPendingOutputBytes
        self.acceptBackoff = acceptBackoff
        self.bodyLimit = bodyLimit
    }

    /// The body limit for one request: the route's, never above the server's.
    func bodyLimit(method: String, path: Substring) -> Int {
        guard let bodyLimit else { return maxBodyBytes }
        return max(0, min(bodyLimit(method, path), maxBodyBytes))
    }
}

enum ReasonPhrase {
    static func of(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
