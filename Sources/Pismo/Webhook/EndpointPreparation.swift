/// What delivery works out from an endpoint's settings before it can send — the rules checked, the
/// signer for the secrets in their overlap, the lane and circuit key — computed once per route load
/// (`RouteCache` keeps it beside the route for the cache's lifetime) instead of once per event: on
/// the healthy path that work was a third of the engine's own instructions per event.
public final class EndpointPreparation: Sendable {
    /// The signer (nil: unsigned), or why the endpoint cannot be sent to.
    let signer: Result<WebhookSigner?, EndpointRules.Violation>
    /// `clientID/endpointID`: the lane's, circuit's and rate limit's key.
    let key: String
    /// When the set of signing secrets changes (a rotated-out secret's overlap ends): prepare again.
    let validUntilMillis: Int64

    init(_ endpoint: Endpoint, clientID: String, nowMillis: Int64) {
        key = DeliveryEngine.endpointKey(clientID: clientID, endpointID: endpoint.id)
        let signing = endpoint.signingSecrets(nowMillis: nowMillis)
        validUntilMillis = signing.dropFirst().compactMap { endpoint.secretExpiryMillis[SecretFingerprint.of($0)] }.min() ?? .max
        do {
            try EndpointRules.check(endpoint)
            signer = .success(signing.isEmpty ? nil : try WebhookSigner(secrets: signing))
        } catch let violation as EndpointRules.Violation {
            signer = .failure(violation)
        } catch {
            signer = .failure(.secret("\(error)"))
        }
    }

    /// `endpoint`'s preparation: the one it carries while still valid, else a fresh one.
    static func of(_ endpoint: Endpoint, clientID: String, nowMillis: Int64) -> EndpointPreparation {
        if let kept = endpoint.preparation.value, kept.validUntilMillis > nowMillis { return kept }
        return EndpointPreparation(endpoint, clientID: clientID, nowMillis: nowMillis)
    }
}

/// Carries a preparation inside an `Endpoint` without being part of what the endpoint *is*: two
/// endpoints with the same settings are equal whether or not either has been prepared.
public struct PreparationSlot: Sendable, Equatable {
    var value: EndpointPreparation?
    public static func == (lhs: PreparationSlot, rhs: PreparationSlot) -> Bool { true }
}

extension Route {
    /// The route with every endpoint prepared (what `RouteCache` keeps).
    func prepared(clientID: String, nowMillis: Int64) -> Route {
        var copy = self
        for index in copy.endpoints.indices {
            copy.endpoints[index].preparation.value = EndpointPreparation(copy.endpoints[index], clientID: clientID, nowMillis: nowMillis)
        }
        return copy
    }
}
