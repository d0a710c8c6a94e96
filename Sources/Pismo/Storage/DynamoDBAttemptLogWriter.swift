/// Writes attempt records to the attempts table, 25 to a BatchWriteItem (DynamoDB's limit).
/// Items DynamoDB hands back unprocessed are resent a few times with backoff, then reported as
/// not written: the log is best effort and must not hold its buffer on a throttled table.
public struct DynamoDBAttemptLogWriter: AttemptLogWriter {
    let dynamo: DynamoDBClient
    let table: String
    let retentionDays: Int

    public init(dynamo: DynamoDBClient, table: String, retentionDays: Int) {
        self.dynamo = dynamo
        self.table = table
        self.retentionDays = retentionDays
    }

    public var maxBatch: Int { 25 }

    public func write(_ records: [AttemptRecord]) async throws -> Int {
        // DynamoDB refuses a whole batch that names one key twice; the same key is the same attempt.
        var byKey: [String: DynamoDBItem] = [:]
        for record in records { byKey[AttemptsTable.key(record)] = AttemptsTable.row(record, retentionDays: retentionDays) }
        let puts = byKey.values.map { DynamoDBWriteRequest.put($0) }
        let unprocessed = try await dynamo.batchWriteItem([table: puts], maxRounds: 3)
        return unprocessed.values.reduce(0) { $0 + $1.count }
    }
}
