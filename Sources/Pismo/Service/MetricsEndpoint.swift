import Transport

/// `GET /metrics` (Prometheus text), `GET /healthz` (liveness) and `GET /readyz` (readiness) for the
/// processor and deliver, served on our own HTTP server from the process's registry.
public enum MetricsEndpoint {
    /// `address` is "host:port" or "[v6]:port" (numeric host), as PISMO_METRICS_ADDR holds it.
    /// `/readyz` answers 200 while `readiness` is ready (always, when there is none) and 503 before
    /// that ("starting") and once it drains ("draining").
    public static func start(address: String, registry: MetricsRegistry, health: @escaping @Sendable () -> Bool = { true },
                             readiness: Readiness? = nil) async throws -> HTTPServer {
        let (host, port) = try parseAddress(address)
        return try await HTTPServer.start(configuration: HTTPServerConfiguration(host: host, port: port), handler: .sync { request in
            switch (request.method, request.path) {
            case ("GET", "/metrics"):
                return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "text/plain; version=0.0.4")]),
                                    body: Array(registry.render().utf8))
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
