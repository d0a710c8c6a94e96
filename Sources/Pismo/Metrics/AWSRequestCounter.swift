import Transport

/// Counts the AWS requests a service makes, by operation (`pismo_aws_requests_total{operation=...}`,
/// and their latency in `pismo_aws_request_seconds{operation=...}`),
/// so the cost we impose on the backend — every idle poll, lease renewal and checkpoint — is visible
/// in `/metrics` and in `bench/pipeline.sh`, not just the requests that carried events.
///
/// Wraps the HTTP client the AWS clients use; the operation is the `X-Amz-Target` suffix
/// ("DynamoDB_20120810.PutItem" -> "PutItem"). One counter per operation, created on first use.
/// Thread-safe: the table of counters sits behind a lock, each counter is an atomic.
public struct AWSRequestCounter: HTTPExecuting {
    private let inner: any HTTPExecuting
    private let registry: MetricsRegistry
    /// Shared by copies of this value (`Locked` is a reference).
    private let byOperation = Locked<[String: (count: Counter, latency: Histogram)]>([:])

    public init(_ inner: any HTTPExecuting, registry: MetricsRegistry) {
        self.inner = inner
        self.registry = registry
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let (count, latency) = instruments(for: Self.operation(request))
        count.increment()
        let started = ContinuousClock.now
        defer { latency.observe(ContinuousClock.now - started) }
        return try await inner.execute(request, timeout: timeout)
    }

    static func operation(_ request: HTTPRequest) -> String {
        guard let target = request.headers["X-Amz-Target"] else { return "other" }
        guard let dot = target.lastIndex(of: ".") else { return target }
        return String(target[target.index(after: dot)...])
    }

    private func instruments(for operation: String) -> (count: Counter, latency: Histogram) {
        byOperation.withLock { table in
            if let existing = table[operation] { return existing }
            let labels = [("operation", operation)]
            let created = (registry.counter("pismo_aws_requests_total", help: "AWS requests sent, by operation.", labels: labels),
                           registry.histogram("pismo_aws_request_seconds", help: "AWS request latency (one attempt), by operation.",
                                              labels: labels))
            table[operation] = created
            return created
        }
    }
}
