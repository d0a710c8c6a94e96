import PismoJSON

/// A stored event by reference — where its payload is in the Events table, never the payload: what
/// replays turn into `PendingRetry`s, and the body of a deliver-dlq message that could not carry its
/// payload (too large for SQS once the attributes are added, or refused for its content). Such a
/// message has the attribute `pismo-body` = `reference`; `pismo redrive deliver-dlq` reads the
/// payload back before it re-attempts delivery.
public struct StoredEventReference: Sendable, Equatable {
    public static let bodyAttribute = "pismo-body"
    public static let bodyAttributeValue = "reference"

    public var clientID: String
    public var eventKey: String
    public var eventID: String

    public init(clientID: String, eventKey: String, eventID: String) {
        self.clientID = clientID
        self.eventKey = eventKey
        self.eventID = eventID
    }

    public var json: String {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.key("client_id"); w.string(clientID)
        w.key("event_key"); w.string(eventKey)
        w.key("event_id"); w.string(eventID)
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// nil for anything that is not a reference this type wrote.
    public init?(json: String) {
        guard let document = try? JSONDocument(json), let client = document.root["client_id"]?.string,
              let key = document.root["event_key"]?.string, !key.isEmpty, let id = document.root["event_id"]?.string
        else { return nil }
        self.init(clientID: client, eventKey: key, eventID: id)
    }
}
