import Transport

/// `GET /metrics` (Prometheus text), `GET /healthz` (liveness) and `GET /readyz` (readiness) for the
/// processor and deliver, served on our own HTTP server from the process's registry.
public enum MetricsEndpoint {
    /// `address` is "host:port" or "[v6]:port" (numeric host), as PISMO_METRICS_ADDR holds it.
    /// `/readyz` answers 200 while `readiness` is ready (always, when there is none) and 503 before
    /// that ("starting") and once it drains ("draining").
    /// `configure` adjusts the limits of `serverConfiguration` (tests narrow them).
    public static func start(address: String, registry: MetricsRegistry, health: @escaping @Sendable () -> Bool = { true },
                             readiness: Readiness? = nil,
                             configure: (inout HTTPServerConfiguration) -> Void = { _ in }) async throws -> HTTPServer {
        let (host, port) = try parseAddress(address)
        var configuration = serverConfiguration(host: host, port: port)
        configure(&configuration)
        let rendered = RenderedMetrics(registry: registry)
        return try await HTTPServer.start(configuration: configuration, handler: .sync { request in
            switch (request.method, request.path) {
            case ("GET", "/metrics"):
                return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "text/plain; version=0.0.4")]),
                                    body: rendered.body)
            case ("GET", "/healthz"):
                let healthy = health()
                return HTTPResponse(status: healthy ? 200 : 503, headers: HTTPHeaders([("content-type", "text/plain")]),
                                    body: Array((healthy ? "ok\n" : "unhealthy\n").utf8))
            case ("GET", "/readyz"):
                let (status, text) = switch readiness?.state ?? .ready {
                case .starting: (503, "starting\n")
                case .ready: (200, "ready\n")
                case .draining: (503, "draining\n")
                }
                return HTTPResponse(status: status, headers: HTTPHeaders([("content-type", "text/plain")]), body: Array(text.utf8))
            default:
                return HTTPResponse(status: 404, headers: HTTPHeaders([("content-type", "text/plain")]), body: Array("not found\n".utf8))
            }
        })
    }

    /// The port is open to whoever can reach it and serves three small GETs, so it gets the
    /// narrowest limits (docs/operations.md, "Listening ports"): no request body, small heads,
    /// short timeouts, few connections (a scraper and two probes need three), and at most 64 KiB
    /// of answers queued for a client that does not read them, with a 64 KiB kernel send buffer
    /// behind it (autotuned, loopback takes 4 MiB: some 200 renderings of `/metrics` per client
    /// that pipelines and never reads, enough to keep the loop from a health probe for seconds).
    /// None of it can take descriptors, memory or CPU from the pipeline beside it. The backlog is long (the kernel caps it at
    /// somaxconn) because the cap works by accepting and evicting: a full accept queue would drop a
    /// probe's SYN instead, and TCP retries it only after 1 s, 3 s, 7 s.
    public static func serverConfiguration(host: String, port: Int) -> HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: host, port: port, maxHeaderBytes: 8 * 1024, maxBodyBytes: 0,
            headerReadTimeout: .seconds(5), idleTimeout: .seconds(30), backlog: 4096,
            requestReadTimeout: .seconds(5), maxConnections: 64, maxPendingOutputBytes: 64 * 1024,
            sendBufferBytes: 64 * 1024)
    }

    public static func parseAddress(_ address: String) throws -> (host: String, port: Int) {
        var text = Substring(address)
        var host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw PismoError.invalidInput("bad address '\(address)'") }
            host = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw PismoError.invalidInput("address '\(address)' needs host:port") }
            host = text[..<colon]
            text = text[colon...]
        }
        guard text.hasPrefix(":"), let port = Int(text.dropFirst()), (0...65535).contains(port) else {
            throw PismoError.invalidInput("address '\(address)' needs a port from 0 to 65535")
        }
        if host.isEmpty { host = "0.0.0.0" }
        return (String(host), port)
    }
}
