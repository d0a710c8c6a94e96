import PismoJSON

/// Time to live: DynamoDB deletes an item some time (typically within days) after the unix seconds
/// in its TTL attribute have passed, at no write cost. One attribute per table.
extension DynamoDBClient {
    static let updateTimeToLive = AWSOperation("UpdateTimeToLive", .conditional)  // a repeat reports ValidationException
    static let describeTimeToLive = AWSOperation("DescribeTimeToLive", .idempotent)

    /// The table's TTL state: `status` is ENABLED, ENABLING, DISABLED or DISABLING; `attribute` is
    /// the attribute TTL reads (absent while disabled).
    public func describeTimeToLive(table: String) async throws -> (status: String, attribute: String?) {
        let r = try await transport.call(Self.describeTimeToLive) { w in w.key("TableName"); w.string(table) }
        let description = r["TimeToLiveDescription"]
        return (description?["TimeToLiveStatus"]?.string ?? "DISABLED", description?["AttributeName"]?.string)
    }

    /// Turns TTL on (or off) for `attribute`. DynamoDB refuses to switch an enabled TTL to another
    /// attribute in one call, and refuses a repeat of the same change for about an hour.
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
