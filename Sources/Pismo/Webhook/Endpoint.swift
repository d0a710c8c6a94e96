import Foundation

/// One webhook endpoint of a client: where its events go, how they are signed, which of them it
/// wants, and how fast it may be called. Each endpoint has its own retries, circuit breaker, lane,
/// rate limit and dead letters, so one failing endpoint never delays its siblings.
public struct Endpoint: Sendable, Equatable {
    /// Unique within the client; "default" is the legacy top-level `url` + `secret`.
    public var id: String
    public var url: String
    /// `whsec_<base64>` secrets, the current one first. Every one still in its overlap signs each
    /// request, so receivers verify with either during a rotation. Empty: requests go unsigned.
    public var secrets: [String]
    /// Unix milliseconds after which a secret (by `SecretFingerprint`) stops signing: the overlap
    /// `pismo routes rotate-secret --keep` gave the one it replaced.
    public var secretExpiryMillis: [String: Int64]
    /// The event types it receives; nil receives every type.
    public var eventTypes: Set<String>?
    /// Requests per second it may receive from this deliver instance; nil is unlimited.
    public var ratePerSecond: Double?
    /// Its own attempt timeout; nil uses PISMO_DELIVERY_TIMEOUT_MS.
    public var timeout: Duration?
    /// Extra request headers (never one of `EndpointRules.reservedHeaders`).
    public var headers: [String: String]
    /// When and why it was disabled; its events go to deliver-dlq until `pismo routes enable`.
    public var disabledAt: String?
    public var disabledReason: String?
    /// Unix milliseconds of the first failure since the last success (nil while healthy).
    public var failingSinceMillis: Int64?
    /// Worked out from the settings above by whoever loaded them (`RouteCache`); never compared.
    public var preparation = PreparationSlot()

    public static let defaultID = "default"

    public init(id: String = Endpoint.defaultID, url: String, secrets: [String] = [], secretExpiryMillis: [String: Int64] = [:],
                eventTypes: Set<String>? = nil, ratePerSecond: Double? = nil, timeout: Duration? = nil,
                headers: [String: String] = [:], disabledAt: String? = nil, disabledReason: String? = nil,
                failingSinceMillis: Int64? = nil) {
        self.id = id
        self.url = url
        self.secrets = secrets
        self.secretExpiryMillis = secretExpiryMillis
        self.eventTypes = eventTypes
        self.ratePerSecond = ratePerSecond
        self.timeout = timeout
        self.headers = headers
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.failingSinceMillis = failingSinceMillis
    }

    public func accepts(eventType: String) -> Bool {
        eventTypes.map { $0.contains(eventType) } ?? true
    }

    /// The secrets that sign a request made at `nowMillis`: the current one always (even past a
    /// mistaken expiry, so a signed endpoint never goes unsigned), the others until their overlap ends.
    public func signingSecrets(nowMillis: Int64) -> [String] {
        secrets.enumerated().filter { index, secret in
            index == 0 || (secretExpiryMillis[SecretFingerprint.of(secret)].map { nowMillis < $0 } ?? true)
        }.map(\.element)
    }
}

/// A client's webhook route from the `routes` table: its endpoints.
public struct Route: Sendable, Equatable {
    public var endpoints: [Endpoint]

    public init(endpoints: [Endpoint]) {
        self.endpoints = endpoints
    }

    /// The single-URL route (the legacy layout): one endpoint, id "default".
    public init(url: String, secret: String? = nil, disabledAt: String? = nil, disabledReason: String? = nil,
                failingSinceMillis: Int64? = nil) {
        self.init(endpoints: [Endpoint(url: url, secrets: secret.map { [$0] } ?? [], disabledAt: disabledAt,
                                       disabledReason: disabledReason, failingSinceMillis: failingSinceMillis)])
    }

    public func endpoint(_ id: String) -> Endpoint? {
        endpoints.first { $0.id == id }
    }

    /// The endpoints an event of `eventType` goes to (disabled ones included: their events are
    /// dead-lettered, so that enabling them and redriving loses nothing).
    public func endpoints(for eventType: String) -> [Endpoint] {
        endpoints.filter { $0.accepts(eventType: eventType) }
    }
}

/// A short, stable name for a secret that reveals nothing usable: `routes list` prints it instead of
/// the secret, and the routes item keys each secret's overlap by it.
public enum SecretFingerprint {
    public static func of(_ secret: String) -> String {
        Digests.sha256(Array(secret.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
