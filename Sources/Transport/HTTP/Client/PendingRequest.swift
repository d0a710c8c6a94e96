/// One `execute` call in flight. Created off-loop with its head already encoded; from submission
/// on it is confined to its pool's loop. It completes exactly once (response, error or timeout),
/// either by resuming an async caller or by calling a loop-level completion.
final class PendingRequest: @unchecked Sendable {
    typealias Completion = @Sendable (Result<HTTPResponse, Error>) -> Void

    /// Shared with the `PreparedRequest` it came from: one reference instead of copying four
    /// strings and two arrays into every exchange.
    let encoded: EncodedRequest
    let deadline: UInt64
    var method: String { encoded.method }
    var target: RequestTarget { encoded.target }
    /// Retried at most once, and only when that cannot send the request twice in a harmful way.
    var attempts = 0
    /// The connection carrying it, for `abort`. Strong, not weak (a weak reference would give
    /// every connection a side table and slow every retain of it); cleared when the request
    /// finishes or its connection closes.
    var connection: ClientConnection?
    // Two optionals rather than an enum with payloads: the enum's generic copies showed up in
    // profiles of the request path. At most one is set; both are nil once finished.
    private var continuation: CheckedContinuation<HTTPResponse, Error>?
    private var callback: Completion?

    /// Set when the caller's task was cancelled before the loop picked the request up.
    var isCancelled = false
    /// Set by the pool on its loop. Until then the waiter fields belong to the submitting thread,
    /// so nothing on the loop may complete the request.
    var isSubmitted = false

    /// `timeout` bounds the whole exchange from now: queueing, connecting, writing, reading.
    init(_ encoded: EncodedRequest, timeout: Duration) {
        self.encoded = encoded
        self.deadline = monotonicNanos() &+ timeout.nanoseconds
    }

    /// Called once, synchronously inside `withCheckedThrowingContinuation`, before the hand-off.
    func attach(_ continuation: CheckedContinuation<HTTPResponse, Error>) {
        self.continuation = continuation
    }

    /// Called once, before the hand-off; `completion` runs on the pool's loop thread.
    func attach(_ completion: @escaping Completion) {
        callback = completion
    }

    var isFinished: Bool { continuation == nil && callback == nil }

    var isIdempotent: Bool { encoded.isIdempotent }

    func succeed(_ response: HTTPResponse) { finish(.success(response)) }
    func fail(_ error: Error) { finish(.failure(error)) }

    private func finish(_ result: Result<HTTPResponse, Error>) {
        connection = nil
        if let continuation = continuation.take() {
            continuation.resume(with: result)
        } else if let callback = callback.take() {
            callback(result)
        }
    }
}

/// A request validated and encoded once: method, target, head bytes and body. Immutable.
final class EncodedRequest: Sendable {
    let method: String
    let target: RequestTarget
    let head: [UInt8]
    let body: [UInt8]
    let isIdempotent: Bool
    let reading: ResponseReading

    init(method: String, target: RequestTarget, head: [UInt8], body: [UInt8], reading: ResponseReading = .whole) {
        self.reading = reading
        self.method = method
        self.target = target
        self.head = head
        self.body = body
        switch method {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": isIdempotent = true
        default: isIdempotent = false
        }
    }
}
