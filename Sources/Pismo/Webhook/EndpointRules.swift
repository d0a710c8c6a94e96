import Transport

/// What makes an endpoint deliverable. `pismo routes set` refuses what breaks these rules, and
/// delivery checks them again (a routes item can be written by hand) and dead-letters with
/// `bad-endpoint` instead of sending something malformed.
public enum EndpointRules {
    /// Headers Pismo owns (framing, identity and the Standard Webhooks set): an endpoint's extra
    /// headers may not replace them, or a receiver could be handed a forged signature or id.
    public static let reservedHeaders: Set<String> = [
        "host", "content-type", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer",
        "upgrade", "expect", "user-agent", "proxy-authorization", "proxy-connection",
    ]
    public static let reservedHeaderPrefixes = ["webhook-", "svix-", "pismo-"]
    public static let timeoutRange: ClosedRange<Int64> = 100...120_000
    public static let maxRatePerSecond = 100_000.0
    public static let maxHeaders = 20

    public enum Violation: Error, CustomStringConvertible, Equatable {
        case id(String)
        case url(String)
        case secret(String)
        case eventTypes(String)
        case rate(String)
        case timeout(String)
        case header(String)

        public var description: String {
            switch self {
            case let .id(s), let .url(s), let .secret(s), let .eventTypes(s), let .rate(s), let .timeout(s), let .header(s): s
            }
        }

        /// Secrets get their own dead-letter code (the one operators already alert on).
        public var deadLetterCode: DeadLetterCode {
            if case .secret = self { return .badSecret }
            return .badEndpoint
        }
    }

    public static func check(_ endpoint: Endpoint) throws(Violation) {
        try checkID(endpoint.id)
        do {
            _ = try RequestTarget(url: endpoint.url)
        } catch {
            throw .url("endpoint URL must be an absolute http:// or https:// URL without user info, got '\(endpoint.url)': \(error)")
        }
        for secret in endpoint.secrets {
            do { _ = try WebhookSigner(secret: secret) } catch { throw .secret(error.description) }
        }
        if let types = endpoint.eventTypes {
            guard !types.isEmpty, types.allSatisfy({ !$0.isEmpty }) else {
                throw .eventTypes("an event-type filter lists one or more non-empty types (leave it out to receive every type)")
            }
        }
        if let rate = endpoint.ratePerSecond, !(rate > 0 && rate <= maxRatePerSecond) {
            throw .rate("rate must be more than 0 and at most \(Int(maxRatePerSecond)) requests per second, got \(rate)")
        }
        if let timeout = endpoint.timeout {
            let millis = timeout.wholeMilliseconds
            guard timeoutRange.contains(millis) else {
                throw .timeout("timeout must be \(timeoutRange.lowerBound)–\(timeoutRange.upperBound) ms, got \(millis) ms")
            }
        }
        guard endpoint.headers.count <= maxHeaders else { throw .header("at most \(maxHeaders) extra headers") }
        for (name, value) in endpoint.headers { try checkHeader(name: name, value: value) }
    }

    public static func checkID(_ id: String) throws(Violation) {
        let allowed = id.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        guard !id.isEmpty, id.utf8.count <= 64, allowed else {
            throw .id("endpoint id must be 1–64 characters of A–Z, a–z, 0–9, '-', '_' or '.', got '\(id)'")
        }
    }

    public static func checkHeader(name: String, value: String) throws(Violation) {
        let lower = name.lowercased()
        guard !name.isEmpty, name.utf8.allSatisfy(\.isHeaderTokenCharacter) else {
            throw .header("'\(name)' is not a valid header name")
        }
        guard !reservedHeaders.contains(lower), !reservedHeaderPrefixes.contains(where: lower.hasPrefix) else {
            throw .header("header '\(name)' is set by Pismo and cannot be replaced")
        }
        // A CR or LF would let a route inject headers of its own choosing (or a second request).
        guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }), value.utf8.count <= 4096 else {
            throw .header("the value of header '\(name)' holds a control character or is over 4096 bytes")
        }
    }
}

private extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }

    /// RFC 9110 token characters.
    var isHeaderTokenCharacter: Bool {
        isASCIIAlphanumeric || "!#$%&'*+-.^_`|~".utf8.contains(self)
    }
}
