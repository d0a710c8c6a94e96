/// Where a client may connect (the SSRF guard of webhook deliveries): no address in a special-purpose
/// class (`DestinationRule`) unless an allowed network holds it, and, with `httpsOnly`, no plain http.
///
/// Applied by `HTTPClient` inside the connection pool, between name resolution and connect, to every
/// address the name resolved to; the connection then goes to exactly those addresses, so a name
/// cannot be re-resolved to somewhere else between the check and the connect (DNS rebinding).
/// A name with one refused address among good ones is refused: which address the connection would
/// use is not the caller's choice. A check costs one pass over a few dozen ranges per new connection;
/// requests on kept-alive connections are not checked again.
public struct DestinationPolicy: Sendable, Equatable {
    /// Networks that may be reached although their class is refused (`127.0.0.1/32` for a local sink).
    public var allowed: [IPNetwork]
    public var httpsOnly: Bool

    public init(allowed: [IPNetwork] = [], httpsOnly: Bool = false) {
        self.allowed = allowed
        self.httpsOnly = httpsOnly
    }

    /// The rule `address` breaks under this policy; nil when it may be reached.
    public func rule(for address: IPAddress) -> DestinationRule? {
        guard let rule = SpecialPurposeRanges.rule(for: address) else { return nil }
        let embedded = SpecialPurposeRanges.embeddedIPv4(address).map(IPAddress.v4)
        let isAllowed = allowed.contains { $0.contains(address) || embedded.map($0.contains) == true }
        return isAllowed ? nil : rule
    }

    /// The first refusal among `addresses` of `host`, nil when every address may be reached.
    public func refusal(host: String, addresses: [IPAddress]) -> HTTPClientError? {
        for address in addresses {
            guard let rule = rule(for: address) else { continue }
            return .destinationRefused(host: host, address: Self.spelled(address), rule: rule)
        }
        return nil
    }

    /// A refusal of the URL's scheme (before any lookup); nil when the scheme is allowed.
    public func refusal(scheme: String, host: String) -> HTTPClientError? {
        httpsOnly && scheme != "https" ? .destinationRefused(host: host, address: "", rule: .httpsOnly) : nil
    }

    /// The address as refused, with the IPv4 address it leads to when it embeds one.
    static func spelled(_ address: IPAddress) -> String {
        guard let v4 = SpecialPurposeRanges.embeddedIPv4(address) else { return address.description }
        return "\(address) (= \(IPAddress.v4(v4)))"
    }
}
