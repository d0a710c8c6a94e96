/// The attempts table's layout (`pismo-attempts`): one item per webhook attempt, deleted by DynamoDB's
/// TTL. Only the keys and the TTL attribute here, for `pismo init`; the attempts-table branch's copy
/// (the attempt log's full layout) supersedes this one on merge.
public enum AttemptsTable {
    public static let clientID = "client_id"
    public static let attemptKey = "attempt_key"
    /// N, unix seconds: DynamoDB's TTL deletes the item after this.
    public static let expiresAt = "expires_at"
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s), .init(attemptKey, .range, .s)]
}
