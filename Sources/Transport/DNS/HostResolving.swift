/// What the HTTP client needs of name resolution: `Resolver`'s one entry point. A seam so that tests
/// can answer names with addresses of their choosing (a name that resolves to 127.0.0.2, answers that
/// change between lookups) without touching the system's resolver configuration.
public protocol HostResolving: Sendable {
    /// Calls `completion` exactly once with the addresses of `host` (numeric hosts parsed in place).
    func resolve(host: String, port: Int, completion: @escaping Resolver.Completion)
}

extension Resolver: HostResolving {}
