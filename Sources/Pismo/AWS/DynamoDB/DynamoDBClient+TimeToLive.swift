import PismoJSON

/// DynamoDB's time to live: items are deleted (within days, free of write cost) once the unix seconds
/// in the table's TTL attribute have passed. (The same two calls as the attempts-table branch, whose
/// copy supersedes this one on merge.)
extension DynamoDBClient {
    static let describeTimeToLive = AWSOperation("DescribeTimeToLive", .idempotent)
    static let updateTimeToLive = AWSOperation("UpdateTimeToLive", .conditional)  // a repeat reports ValidationException

    /// `status`: ENABLED, ENABLING, DISABLED or DISABLING; `attribute` is absent while disabled.
    public func describeTimeToLive(table: String) async throws -> (status: String, attribute: String?) {
        let r = try await transport.call(Self.describeTimeToLive) { w in w.key("TableName"); w.string(table) }
        let ttl = r["TimeToLiveDescription"]
        return (ttl?["TimeToLiveStatus"]?.string ?? "DISABLED", ttl?["AttributeName"]?.string)
    }

    public func updateTimeToLive(table: String, attribute: String, enabled: Bool) async throws {
        _ = try await transport.call(Self.updateTimeToLive) { w in
            w.key("TableName"); w.string(table)
            w.key("TimeToLiveSpecification"); w.beginObject()
            w.key("AttributeName"); w.string(attribute)
            w.key("Enabled"); w.bool(enabled)
            w.endObject()
        }
    }
}
