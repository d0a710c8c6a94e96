/// One `execute` call in flight. Created off-loop with its head already encoded; from submission
/// on it is confined to its pool's loop. It completes exactly once (response, error or timeout),
/// either by resuming an async caller or by calling a loop-level completion.
final class PendingRequest: @unchecked Sendable {
    typealias Completion = @Sendable (Result<HTTPResponse, Error>) -> Void

    /// Two shapes so the async path needs no extra closure allocation per request.
    private enum Waiter {
        case none
        case continuation(CheckedContinuation<HTTPResponse, Error>)
        case callback(Completion)
    }

    let method: String
    let target: RequestTarget
    let head: [UInt8]
    let body: [UInt8]
    let deadline: UInt64
    /// Retried at most once, and only when that cannot send the request twice in a harmful way.
    var attempts = 0
    weak var connection: ClientConnection?
    private var waiter = Waiter.none

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
        waiter = .continuation(continuation)
    }

    /// Called once, before the hand-off; `completion` runs on the pool's loop thread.
    func attach(_ completion: @escaping Completion) {
        waiter = .callback(completion)
    }

    var isFinished: Bool {
        if case .none = waiter { return true }
        return false
    }

    var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": return true
        default: return false
        }
    }

    func succeed(_ response: HTTPResponse) { finish(.success(response)) }
    func fail(_ error: Error) { finish(.failure(error)) }

    private func finish(_ result: Result<HTTPResponse, Error>) {
        let waiter = self.waiter
        self.waiter = .none
        connection = nil
        switch waiter {
        case .none: return
        case .continuation(let continuation): continuation.resume(with: result)
        case .callback(let completion): completion(result)
        }
    }
}
