import Testing
import PismoJSON
@testable import Pismo

/// The PutItem `Item` the processor writes straight from an event must be exactly the row
/// `EventsTable.initialRow` describes (the one the size check, the stream path and tests read).
@Suite struct EventsTableRowTests {
    func item(direct: Bool, payload: String) -> EventItem {
        EventItem(clientID: "client-7", eventKey: "2026-12-03T10:00:00Z#e\"1", eventID: "e\"1", eventType: "order.created",
                  eventTime: "2026-12-03T10:00:00Z", payload: Array(payload.utf8), receivedAt: "2026-12-03T10:00:01.123Z",
                  directDispatch: direct)
    }

    func written(_ item: EventItem) throws -> DynamoDBItem? {
        var w = JSONWriter(capacity: 64)
        EventsTable.writeInitialRow(item, into: &w)
        return DynamoDBValue.readItem(try JSONDocument(bytes: w.bytes).root)
    }

    @Test(arguments: [false, true])
    func theWrittenRowIsTheInitialRow(direct: Bool) throws {
        // Quotes, backslashes, control characters, non-ASCII and U+2028: everything escaping touches.
        let event = item(direct: direct, payload: #"{"a":"x\"y\\z","é":"\u0001","ls":"\#u{2028}","n":[1,2.5e3]}"#)
        let row = try #require(try written(event))
        #expect(row == EventsTable.initialRow(event))
        #expect((row[EventsTable.dispatch] != nil) == direct)
        #expect(row.dynamoDBSize == EventsTable.itemSize(event))
    }
}
