// Codable mirrors of the corpus shapes, for the JSONDecoder/JSONEncoder baseline.

struct BenchEvent: Codable {
    var client_id: String
    var event_type: String
    var event_time: String
    var event_id: String
    var producer: String
    var data: BenchEventData
}

struct BenchEventData: Codable {
    struct Customer: Codable {
        var id: Int
        var email: String
        var tier: String
        var verified: Bool
    }

    struct Item: Codable {
        var sku: String
        var qty: Int
        var price: Double
        var gift: Bool
    }

    var order_id: String
    var amount: Double
    var currency: String
    var customer: Customer
    var items: [Item]
    var note: String
    var tags: [String]
}

/// DynamoDB AttributeValue: exactly one member is set. A class because it is recursive.
final class BenchAttributeValue: Codable {
    var S: String?
    var N: String?
    var BOOL: Bool?
    var NULL: Bool?
    var M: [String: BenchAttributeValue]?
    var L: [BenchAttributeValue]?
}

struct BenchQueryResponse: Codable {
    var Count: Int
    var Items: [[String: BenchAttributeValue]]
    var LastEvaluatedKey: [String: BenchAttributeValue]?
    var ScannedCount: Int
}
