/// Why an HTTP exchange failed. Every case that concerns a peer names it, so a log line alone says
/// which endpoint misbehaved.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(String)
    case dnsFailure(host: String)
    /// No nameserver answered within the resolver's timeout.
    case dnsTimeout(host: String)
    /// The resolver had too many lookups waiting to take this one (it was refused at once).
    case dnsOverloaded(host: String)
    case connectTimeout(host: String, port: Int)
    case connectionRefused(host: String, port: Int)
    case connectFailed(host: String, port: Int, reason: String)
    case requestTimeout(host: String)
    /// The peer closed or reset the connection before the response was complete.
    case connectionReset(host: String)
    case responseTooLarge(host: String, limit: Int)
    /// A header name or value the caller supplied would break framing (CR, LF, NUL, bad name).
    case invalidHeader(name: String)
    case protocolError(String)
    case tls(String)
    case decompressionFailed(host: String)
    /// The destination policy refused `host` before any connection was made: `address` (one of
    /// the addresses it resolved to; empty for `httpsOnly`) falls under `rule`.
    case destinationRefused(host: String, address: String, rule: DestinationRule)
    case shutdown

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL '\(url)'"
        case .unsupportedScheme(let s): return "unsupported URL scheme '\(s)' (only http and https)"
        case .dnsFailure(let host): return "could not resolve host '\(host)'"
        case .dnsTimeout(let host): return "timed out resolving host '\(host)'"
        case .dnsOverloaded(let host): return "could not resolve host '\(host)': too many lookups waiting"
        case .connectTimeout(let host, let port): return "timed out connecting to \(host):\(port)"
        case .connectionRefused(let host, let port): return "connection refused by \(host):\(port)"
        case .connectFailed(let host, let port, let reason): return "could not connect to \(host):\(port): \(reason)"
        case .requestTimeout(let host): return "request to \(host) timed out"
        case .connectionReset(let host): return "connection to \(host) closed before the response was complete"
        case .responseTooLarge(let host, let limit): return "response from \(host) exceeds the \(limit)-byte limit"
        case .invalidHeader(let name): return "invalid header '\(name)': names must be tokens, values must not contain CR, LF or NUL"
        case .protocolError(let what): return "HTTP protocol error: \(what)"
        case .tls(let what): return "TLS error: \(what)"
        case .decompressionFailed(let host): return "could not gunzip the response body from \(host)"
        case .destinationRefused(let host, let address, let rule):
            if rule == .httpsOnly { return "destination \(host) refused: https-only (plain http is not allowed)" }
            return "destination \(host) refused: \(address) is \(rule.rawValue) (\(rule.ranges)) and not in the allowed networks"
        case .shutdown: return "HTTP client is shut down"
        }
    }
}
