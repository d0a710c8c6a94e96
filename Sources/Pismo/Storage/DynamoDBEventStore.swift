/// The Events table on DynamoDB: conditional puts, and direct-dispatch outcomes. Row layout: `EventsTable`.
public struct DynamoDBEventStore: EventStore, DispatchOutcomeStore {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// Conditional on absence, so a redelivered message is an idempotent success — retrying this
    /// PutItem is safe for the same reason. A failed condition is not taken on trust: the stored row
    /// is read back (consistently) and compared by payload, so a different event reusing the key is
    /// a conflict, not a duplicate.
    /// The put's condition, built once.
    private static let absent = DynamoDBExpressions(condition: "attribute_not_exists(\(EventsTable.clientID))")

    public func putIfAbsent(_ item: EventItem) async throws -> StoreOutcome {
        // Twice at most: a row deleted between the failed condition and the read is put again.
        for _ in 0..<2 {
            do {
                // Escaping the payload (JSON in a JSON string) grows it by a quarter at most in practice.
                try await dynamo.putItem(table: table, expressions: Self.absent, capacity: item.payload.count * 5 / 4 + 512) {
                    EventsTable.writeInitialRow(item, into: &$0)
                }
                return .stored
            } catch let error as AWSError where error.isConditionalCheckFailed {
                // Built only here: a dictionary per stored event was a visible allocation at saturation.
                let key: DynamoDBItem = [EventsTable.clientID: .s(item.clientID), EventsTable.eventKey: .s(item.eventKey)]
                guard let stored = try await dynamo.getItem(table: table, key: key, consistentRead: true) else { continue }
                if EventsTable.storedPayloadMatches(stored, item.payload, digest: item.payloadSHA256) { return .alreadyStored }
                return .conflict(storedDigest: stored[EventsTable.payloadSHA256]?.string)
            }
        }
        // Still taken by a row that keeps vanishing: a retryable condition, the handler tries again.
        throw AWSError(service: "dynamodb", operation: "PutItem", status: nil, code: "Pismo.KeyContended",
                       message: "the key was taken, then gone when read back, twice")
    }

    /// Records direct attempts' outcomes ("delivered", or "stream": left to the stream path); the
    /// MODIFY records this produces tell the stream path. One BatchWriteItem per 25 items instead of
    /// an UpdateItem each: the item is immutable apart from `dispatch` and we hold all of it, so
    /// rewriting it whole is the same change — and moto charges per request, not per item.
    /// Returns how many outcomes could not be written (the stream path delivers those after its grace).
    @discardableResult
    public func markDispatch(_ outcomes: [(item: EventItem, delivered: Bool)]) async throws -> Int {
        var unwritten = 0
        var start = 0
        while start < outcomes.count {
            let chunk = outcomes[start..<min(start + 25, outcomes.count)]
            let puts = chunk.map { DynamoDBWriteRequest.put(EventsTable.row($0.item, dispatch: $0.delivered ? .delivered : .stream)) }
            unwritten += try await dynamo.batchWriteItem([table: puts]).values.map(\.count).reduce(0, +)
            start += 25
        }
        return unwritten
    }
}
