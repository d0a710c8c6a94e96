import Transport

/// Marks the service ready at its first successful (2xx) AWS request. Wraps the AWS clients' HTTP
/// executor, so no service has to remember to report it.
struct ReadinessProbe: HTTPExecuting {
    private let inner: any HTTPExecuting
    private let readiness: Readiness

    init(_ inner: any HTTPExecuting, readiness: Readiness) {
        self.inner = inner
        self.readiness = readiness
    }

    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let response = try await inner.execute(request, timeout: timeout)
        if (200..<300).contains(response.status) { readiness.markReady() }
        return response
    }
}
