/// One request/response on a client connection: the encoded request, the response being read,
/// and the caller's continuation. Created by `HTTPClient.execute`, then owned by the connection's
/// loop thread (`@unchecked Sendable` for that single hand-over through `loop.execute`).
final class ClientExchange: @unchecked Sendable {
    var output = OutputQueue()
    let isHead: Bool
    /// The method may be repeated after a failure (RFC 9110 9.2.2).
    let idempotent: Bool
    /// The request said `Connection: close`: do not reuse the connection afterwards.
    let closeRequested: Bool
    let deadline: UInt64
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    var bytesWritten = 0
    var responseBytes = 0
    var status = 0
    var headers = HTTPHeaders()
    var keepAlive = false
    var body: BodyReader?
    var timer: TimerID?
    /// The caller's task was cancelled (set on the loop thread, before or during the exchange).
    var cancelled = false

    init(head: [UInt8], body: [UInt8], method: String, closeRequested: Bool, deadline: UInt64) {
        output.append(head)
        output.append(body)
        isHead = method == "HEAD"
        idempotent = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method)
        self.closeRequested = closeRequested
        self.deadline = deadline
    }
}

/// A failed exchange, and whether `HTTPClient` may send the request again on a new connection.
struct ExchangeFailure: Error {
    let error: HTTPClientError
    let retryable: Bool
}
