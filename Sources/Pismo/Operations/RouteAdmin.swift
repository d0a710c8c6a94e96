import Foundation
import Transport

/// `pismo routes`: the `routes` table seen by operators. Changes read the client's item, change one
/// endpoint, and write the item back whole.
///
/// A health write deliver makes between the read and the write (a failing streak noted, an endpoint
/// disabled) can be overwritten by it: the streak then starts again, or the endpoint is disabled
/// again by its next failure. Routes change rarely; a conditional write per attribute is not worth it.
public struct RouteAdmin: Sendable {
    let aws: PismoAWS
    let table: String
    let now: @Sendable () -> Date

    public init(aws: PismoAWS, table: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.aws = aws
        self.table = table
        self.now = now
    }

    /// Refuses what could never be delivered: a URL the webhook client would refuse to send (parsed
    /// by the client's own `RequestTarget`), a malformed secret, reserved or malformed headers.
    public static func validate(_ endpoint: Endpoint) throws {
        do { try EndpointRules.check(endpoint) } catch { throw PismoError.invalidInput(error.description) }
    }

    public static func validate(url: String, secret: String?) throws {
        try validate(Endpoint(url: url, secrets: secret.map { [$0] } ?? []))
    }

    /// Creates or replaces one endpoint of `client` (its settings and its health: a replaced endpoint
    /// starts enabled and healthy).
    public func set(client: String, endpoint: Endpoint) async throws {
        try Self.validate(endpoint)
        var endpoints = try await route(of: client)?.endpoints ?? []
        if let index = endpoints.firstIndex(where: { $0.id == endpoint.id }) {
            endpoints[index] = endpoint
        } else {
            endpoints.append(endpoint)
        }
        try await write(client, endpoints)
    }

    /// The single-URL form: endpoint "default".
    public func set(client: String, url: String, secret: String?) async throws {
        try await set(client: client, endpoint: Endpoint(url: url, secrets: secret.map { [$0] } ?? []))
    }

    public func route(of client: String) async throws -> Route? {
        guard let item = try await aws.dynamo.getItem(table: table, key: [RoutesTable.clientID: .s(client)], consistentRead: true)
        else { return nil }
        return RouteItem.route(from: item)
    }

    public func list() async throws -> [(client: String, route: Route)] {
        try await aws.dynamo.scanAll(DynamoDBQuery(table: table)).compactMap { item in
            guard let client = item[RoutesTable.clientID]?.string, let route = RouteItem.route(from: item) else { return nil }
            return (client, route)
        }.sorted { $0.client < $1.client }
    }

    /// Enables a disabled endpoint again (every endpoint when `endpoint` is nil) and forgets its
    /// failing streak. Returns false when there is no such route or endpoint.
    public func enable(client: String, endpoint: String? = nil) async throws -> Bool {
        try await change(client, endpoint) { endpoints, index in
            endpoints[index].disabledAt = nil
            endpoints[index].disabledReason = nil
            endpoints[index].failingSinceMillis = nil
        }
    }

    /// Deletes the route (`endpoint` nil) or one endpoint. Returns false when there was no such route
    /// or endpoint.
    public func delete(client: String, endpoint: String? = nil) async throws -> Bool {
        guard let endpoint else {
            let old = try await aws.dynamo.deleteItem(table: table, key: [RoutesTable.clientID: .s(client)], returnValues: .allOld)
            return old != nil
        }
        guard var endpoints = try await route(of: client)?.endpoints,
              let index = endpoints.firstIndex(where: { $0.id == endpoint }) else { return false }
        endpoints.remove(at: index)
        if endpoints.isEmpty { return try await delete(client: client) }
        try await write(client, endpoints)
        return true
    }

    /// What a rotation did: the new secret (to hand to the receiver) and when the old ones stop signing.
    public struct Rotation: Sendable {
        public var secret: String
        public var previousUntil: Date?
    }

    /// Puts a new current secret first (`secret`, or a fresh random one); the previous ones keep
    /// signing until `keep` from now, and those whose overlap already ended are dropped. nil when
    /// there is no such route or endpoint.
    public func rotateSecret(client: String, endpoint: String = Endpoint.defaultID, keep: Duration,
                             secret: String? = nil) async throws -> Rotation? {
        let newSecret = secret ?? Self.generateSecret()
        do { _ = try WebhookSigner(secret: newSecret) } catch { throw PismoError.invalidInput(error.description) }
        let nowMillis = UTCTime.millisecondsSince1970(now())
        let until = nowMillis + keep.wholeMilliseconds
        var previousUntil: Date?
        let changed = try await change(client, endpoint) { endpoints, index in
            var rotated = endpoints[index]
            let kept = rotated.signingSecrets(nowMillis: nowMillis).filter { $0 != newSecret }
            var expiries: [String: Int64] = [:]
            for old in kept {
                let fingerprint = SecretFingerprint.of(old)
                expiries[fingerprint] = min(until, rotated.secretExpiryMillis[fingerprint] ?? until)
            }
            rotated.secrets = [newSecret] + kept
            rotated.secretExpiryMillis = expiries
            endpoints[index] = rotated
            if !kept.isEmpty { previousUntil = Date(timeIntervalSince1970: Double(until) / 1000) }
        }
        return changed ? Rotation(secret: newSecret, previousUntil: previousUntil) : nil
    }

    /// 32 random bytes as `whsec_<base64>` (Standard Webhooks asks for 24–64).
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// Applies `change` to one endpoint (each endpoint when `endpoint` is nil) and writes the route.
    private func change(_ client: String, _ endpoint: String?, _ change: (inout [Endpoint], Int) -> Void) async throws -> Bool {
        guard var endpoints = try await route(of: client)?.endpoints else { return false }
        let indices = endpoints.indices.filter { endpoint == nil || endpoints[$0].id == endpoint }
        guard !indices.isEmpty else { return false }
        for index in indices { change(&endpoints, index) }
        try await write(client, endpoints)
        return true
    }

    private func write(_ client: String, _ endpoints: [Endpoint]) async throws {
        _ = try await aws.dynamo.putItem(table: table, item: RouteItem.item(clientID: client, route: Route(endpoints: endpoints)))
    }
}
