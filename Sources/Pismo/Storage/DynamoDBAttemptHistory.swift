/// Reads a client's attempts back from the attempts table for `pismo attempts`: one Query on the
/// client's partition, newest first, paged until `limit` matching attempts are found.
public struct DynamoDBAttemptHistory: Sendable {
    /// Which attempts to show.
    public struct Selection: Sendable, Equatable {
        public var clientID: String
        /// Only attempts made at or after this time (unix ms): the key condition, so older items
        /// are never read.
        public var sinceMillis: Int64?
        /// Only this event's attempts (a filter: the partition is still read from `sinceMillis`).
        public var eventID: String?
        /// Only attempts that did not deliver.
        public var failedOnly: Bool
        /// The newest this many; nil for every match.
        public var limit: Int?

        public init(clientID: String, sinceMillis: Int64? = nil, eventID: String? = nil, failedOnly: Bool = false, limit: Int? = nil) {
            self.clientID = clientID
            self.sinceMillis = sinceMillis
            self.eventID = eventID
            self.failedOnly = failedOnly
            self.limit = limit
        }
    }

    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// The newest `selection.limit` matching attempts, oldest first.
    public func attempts(_ selection: Selection) async throws -> [AttemptRecord] {
        var query = DynamoDBQuery(table: table, expressions: Self.expressions(selection), scanIndexForward: false)
        var found: [AttemptRecord] = []
        while true {
            // DynamoDB applies Limit before the filter: ask for what is missing, at least a page's worth
            // when filtering, so a sparse filter does not cost one request per match.
            if let limit = selection.limit {
                let missing = limit - found.count
                query.limit = selection.eventID == nil && !selection.failedOnly ? missing : max(missing, 100)
            }
            let page = try await dynamo.query(query)
            found += page.items.compactMap(AttemptsTable.record)
            if let limit = selection.limit, found.count >= limit {
                found.removeLast(found.count - limit)
                break
            }
            guard let next = page.lastEvaluatedKey else { break }
            query.exclusiveStartKey = next
        }
        return found.reversed()
    }

    static func expressions(_ selection: Selection) -> DynamoDBExpressions {
        var names = ["#c": AttemptsTable.clientID]
        var values: [String: DynamoDBValue] = [":c": .s(selection.clientID)]
        var keyCondition = "#c = :c"
        if let since = selection.sinceMillis {
            names["#k"] = AttemptsTable.attemptKey
            values[":since"] = .s(AttemptsTable.timePrefix(since))
            keyCondition += " AND #k >= :since"
        }
        var filters: [String] = []
        if let event = selection.eventID {
            names["#e"] = AttemptsTable.eventID
            values[":e"] = .s(event)
            filters.append("#e = :e")
        }
        if selection.failedOnly {
            names["#d"] = AttemptsTable.delivered
            values[":delivered"] = .bool(true)
            filters.append("#d <> :delivered")
        }
        return DynamoDBExpressions(keyCondition: keyCondition, filter: filters.isEmpty ? nil : filters.joined(separator: " AND "),
                                   names: names, values: values)
    }
}
