/// The routes table's layout, shared by delivery's reads and `pismo routes`; part of the operator contract.
public enum RoutesTable {
    public static let clientID = "client_id", url = "url", secret = "secret"
    /// Set when the endpoint was disabled (410 Gone, or failing for `PISMO_DISABLE_AFTER`): ISO 8601.
    public static let disabledAt = "disabled_at", disabledReason = "disabled_reason"
    /// Unix milliseconds of the first failure since the last success; absent while healthy.
    public static let failingSince = "failing_since"
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s)]
}
