/// Retries read their event back from the Events table by its key.
extension DynamoDBEventStore: StoredEvents {
    public func storedEvent(clientID: String, eventKey: String) async throws -> DeliveryJob? {
        guard let item = try await dynamo.getItem(table: table, key: [EventsTable.clientID: .s(clientID), EventsTable.eventKey: .s(eventKey)]),
              let payload = item[EventsTable.payload]?.string else { return nil }
        return DeliveryJob(clientID: clientID, eventID: item[EventsTable.eventID]?.string ?? "",
                           eventType: item[EventsTable.eventType]?.string ?? "", payload: Array(payload.utf8), eventKey: eventKey)
    }
}
