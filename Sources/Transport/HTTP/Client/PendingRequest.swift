/// One `execute` call in flight. Created off-loop with its head already encoded; from submission
/// on it is confined to its pool's loop. It completes exactly once (response, error or timeout).
final class PendingRequest: @unchecked Sendable {
    let method: String
    let target: RequestTarget
    let head: [UInt8]
    let body: [UInt8]
    let deadline: UInt64
    /// Retried at most once, and only when that cannot send the request twice in a harmful way.
    var attempts = 0
    var timer: LoopTimer?
    weak var connection: ClientConnection?
    private var continuation: CheckedContinuation<HTTPResponse, Error>?

    /// Set when the caller's task was cancelled before the loop picked the request up.
    var isCancelled = false

    init(method: String, target: RequestTarget, head: [UInt8], body: [UInt8], deadline: UInt64) {
        self.method = method
        self.target = target
        self.head = head
        self.body = body
        self.deadline = deadline
    }

    /// Called once, synchronously inside `withCheckedThrowingContinuation`, before the hand-off.
    func attach(_ continuation: CheckedContinuation<HTTPResponse, Error>) {
        self.continuation = continuation
    }

    var isFinished: Bool { continuation == nil }
    var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method) }

    func succeed(_ response: HTTPResponse) { finish(.success(response)) }
    func fail(_ error: Error) { finish(.failure(error)) }

    private func finish(_ result: Result<HTTPResponse, Error>) {
        guard let continuation else { return }
        self.continuation = nil
        timer?.cancel()
        timer = nil
        connection = nil
        continuation.resume(with: result)
    }
}
