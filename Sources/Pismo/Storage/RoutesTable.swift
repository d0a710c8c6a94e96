/// The routes table's layout, shared by delivery's reads and `pismo routes`; part of the operator contract.
///
/// One item per client (key `client_id`). Its endpoints: the legacy top-level `url` (+ `secret`) is the
/// endpoint with id "default"; `endpoints` is a list of maps, one per further endpoint, with the
/// per-endpoint attributes below (`id` and `url` required). Health attributes (`disabled_at`,
/// `disabled_reason`, `failing_since`) sit at the top level for "default" and inside each map for
/// the others.
public enum RoutesTable {
    public static let clientID = "client_id", url = "url", secret = "secret"
    /// Set when the endpoint was disabled (410 Gone, or failing for `PISMO_DISABLE_AFTER`): ISO 8601.
    public static let disabledAt = "disabled_at", disabledReason = "disabled_reason"
    /// Unix milliseconds of the first failure since the last success; absent while healthy.
    public static let failingSince = "failing_since"
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s)]

    /// The list of further endpoints (L of M).
    public static let endpoints = "endpoints"
    /// Per endpoint: `id` (S), `url` (S), `secrets` (L of S, current first), `secret_expires` (M:
    /// secret fingerprint -> N unix ms, the end of a rotated-out secret's overlap), `event_types`
    /// (L of S; absent = every type), `rate_per_s` (N), `timeout_ms` (N), `headers` (M of S).
    /// "default" may carry `secrets` and `secret_expires` at the top level too (after a rotation;
    /// `secret` then stays the current secret, for instances that predate rotation).
    public static let id = "id", secrets = "secrets", secretExpires = "secret_expires", eventTypes = "event_types",
                      ratePerSecond = "rate_per_s", timeoutMillis = "timeout_ms", headers = "headers"
}
