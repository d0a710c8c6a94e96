import Synchronization
import Transport

/// Counts the AWS requests a service makes, by operation (`pismo_aws_requests_total{operation=...}`),
/// so the cost we impose on the backend — every idle poll, lease renewal and checkpoint — is visible
/// in `/metrics` and in `bench/pipeline.sh`, not just the requests that carried events.
///
/// Wraps the HTTP client the AWS clients use; the operation is the `X-Amz-Target` suffix
/// ("DynamoDB_20120810.PutItem" -> "PutItem"). One counter per operation, created on first use.
/// Thread-safe: the table of counters sits behind a mutex, each counter is an atomic.
public struct AWSRequestCounter: HTTPExecuting {
    private let inner: any HTTPExecuting
    private let registry: MetricsRegistry
    private let box: Box

    /// The mutex must be shared by copies of this value, hence a reference.
    private final class Box: Sendable {
        let counters = Mutex<[String: Counter]>([:])
    }

    public init(_ inner: any HTTPExecuting, registry: MetricsRegistry) {
        self.inner = inner
        self.registry = registry
        self.box = Box()
    }

    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        counter(for: Self.operation(request)).increment()
        return try await inner.execute(request, timeout: timeout)
    }

    static func operation(_ request: HTTPRequest) -> String {
        guard let target = request.headers["X-Amz-Target"] else { return "other" }
        guard let dot = target.lastIndex(of: ".") else { return target }
        return String(target[target.index(after: dot)...])
    }

    private func counter(for operation: String) -> Counter {
        box.counters.withLock { table in
            if let existing = table[operation] { return existing }
            let created = registry.counter("pismo_aws_requests_total", help: "AWS requests sent, by operation.",
                                           labels: [("operation", operation)])
            table[operation] = created
            return created
        }
    }
}
