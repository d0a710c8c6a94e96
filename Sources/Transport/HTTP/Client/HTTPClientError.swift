/// Why an HTTP exchange failed. Every description names the host, so a log line says which
/// dependency (SQS endpoint, webhook receiver...) misbehaved.
public enum HTTPClientError: Error, CustomStringConvertible, Sendable, Equatable {
    case connectTimeout(host: String, port: Int)
    case connectionRefused(host: String, port: Int)
    case dnsFailure(host: String)
    /// The whole exchange (queueing, connect, write, response) did not finish within its timeout.
    case requestTimeout(host: String)
    /// The peer closed or reset the connection before the response was complete.
    case connectionReset(host: String)
    case responseTooLarge(limit: Int)
    /// A header name or value that would corrupt the request (CR, LF, NUL, non-token name).
    /// Nothing was sent.
    case invalidHeader(name: String)
    case invalidURL(String)
    case protocolError(String)
    case tls(String)
    /// The client was shut down.
    case shutdown
    /// The calling task was cancelled; the connection was closed.
    case cancelled(host: String)

    public var description: String {
        switch self {
        case .connectTimeout(let host, let port): "connect to \(host):\(port) timed out"
        case .connectionRefused(let host, let port): "connection to \(host):\(port) refused"
        case .dnsFailure(let host): "cannot resolve host \(host)"
        case .requestTimeout(let host): "request to \(host) timed out"
        case .connectionReset(let host): "connection to \(host) closed before the response was complete"
        case .responseTooLarge(let limit): "response larger than the \(limit)-byte limit"
        case .invalidHeader(let name): "invalid header \"\(name)\" (control character or invalid name); request not sent"
        case .invalidURL(let url): "invalid URL \"\(url)\""
        case .protocolError(let text): "HTTP protocol error: \(text)"
        case .tls(let text): "TLS: \(text)"
        case .shutdown: "HTTP client is shut down"
        case .cancelled(let host): "request to \(host) cancelled"
        }
    }
}
