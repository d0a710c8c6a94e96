/// Stored events by `received_at`: one Query when the range names a client (its partition), else a
/// parallel Scan (Segment/TotalSegments), both filtered on `received_at` (and `event_type`) and
/// projected to the keys, so no payload is read. `received_at` is fixed-width ISO 8601 UTC, so its
/// string order is time order.
extension DynamoDBEventStore: StoredEventRanges {
    public func segments(for range: StoredEventRange, wanted: Int) -> Int {
        range.clientID == nil ? max(1, wanted) : 1
    }

    public func references(_ range: StoredEventRange, segment: Int, of segments: Int,
                           page: ([StoredEventReference]) async throws -> Void) async throws {
        var query = DynamoDBQuery(table: table, expressions: Self.expressions(range))
        if range.clientID == nil, segments > 1 {
            query.segment = segment
            query.totalSegments = segments
        }
        while true {
            let result = range.clientID == nil ? try await dynamo.scan(query) : try await dynamo.query(query)
            let references = result.items.compactMap { item -> StoredEventReference? in
                guard let client = item[EventsTable.clientID]?.string, let key = item[EventsTable.eventKey]?.string else { return nil }
                return StoredEventReference(clientID: client, eventKey: key, eventID: item[EventsTable.eventID]?.string ?? "")
            }
            // Pages filtered down to nothing still carry on: the filter applies after the read.
            if !references.isEmpty { try await page(references) }
            guard let next = result.lastEvaluatedKey else { return }
            query.exclusiveStartKey = next
        }
    }

    static func expressions(_ range: StoredEventRange) -> DynamoDBExpressions {
        var filter = ["#r >= :from"]
        var names = ["#r": EventsTable.receivedAt, "#c": EventsTable.clientID, "#k": EventsTable.eventKey, "#i": EventsTable.eventID]
        var values: [String: DynamoDBValue] = [":from": .s(UTCTime.iso8601(millisecondsSince1970: range.fromMillis))]
        if let until = range.untilMillis {
            filter.append("#r < :until")
            values[":until"] = .s(UTCTime.iso8601(millisecondsSince1970: until))
        }
        if let type = range.eventType {
            filter.append("#t = :type")
            names["#t"] = EventsTable.eventType
            values[":type"] = .s(type)
        }
        var keyCondition: String?
        if let client = range.clientID {
            keyCondition = "#c = :client"
            values[":client"] = .s(client)
        }
        return DynamoDBExpressions(keyCondition: keyCondition, filter: filter.joined(separator: " AND "),
                                   projection: "#c, #k, #i", names: names, values: values)
    }
}
