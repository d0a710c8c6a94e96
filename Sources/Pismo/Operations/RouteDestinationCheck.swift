import Transport

/// Whether the webhook client would refuse a route's URL under a destination policy: the policy's own
/// check on the resolver's own answer, so `pismo routes set` warns about exactly what deliver would
/// dead-letter with `destination-refused`. Resolving asks the name servers; nothing is sent to the
/// URL's host. The answer is today's: a name can resolve elsewhere by the time an event is delivered,
/// which is why the client checks again on every connection.
public enum RouteDestinationCheck {
    public enum Finding: Sendable, Equatable {
        /// The client would refuse it (the error names host, address and rule).
        case refused(HTTPClientError)
        /// The name did not resolve now; deliver would retry it as a connection failure.
        case unresolved(HTTPClientError)
    }

    /// nil when the URL would be accepted (or is not a URL at all: `RouteAdmin.validate` says so).
    public static func check(url: String, policy: DestinationPolicy,
                             resolver: any HostResolving = Resolver.shared) async -> Finding? {
        guard let target = try? RequestTarget(url: url) else { return nil }
        if let refused = policy.refusal(scheme: target.scheme, host: target.host) { return .refused(refused) }
        let resolved = await withCheckedContinuation { continuation in
            resolver.resolve(host: target.host, port: target.port) { continuation.resume(returning: $0) }
        }
        switch resolved {
        case .failure(let error): return .unresolved(error)
        case .success(let addresses):
            return policy.refusal(host: target.host, addresses: addresses.map(IPAddress.init)).map(Finding.refused)
        }
    }

    /// The warning `pismo routes set` and `pismo init --route` print on stderr, nil when there is none.
    public static func warning(url: String, policy: DestinationPolicy) async -> String? {
        switch await check(url: url, policy: policy) {
        case .refused(let error)?:
            return "warning: deliveries to \(url) will be refused and dead-lettered (destination-refused): \(error); "
                + "allow the network in PISMO_WEBHOOK_ALLOW_NETS if this endpoint is intended"
        case .unresolved(let error)?:
            return "warning: \(error) now, so it could not be checked against the destination guard"
        case nil:
            return nil
        }
    }
}
