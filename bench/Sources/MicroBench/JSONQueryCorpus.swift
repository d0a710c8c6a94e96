// A large DynamoDB Query response (AttributeValue JSON), as the DynamoDB client receives it.

/// About `approximateBytes` of `{"Count":..,"Items":[...],"ScannedCount":..,"LastEvaluatedKey":{..}}`.
func makeDynamoQueryResponse(approximateBytes: Int = 1_000_000, seed: UInt64 = 7) -> [UInt8] {
    var r = SeededRandom(seed: seed)
    var items: [String] = []
    var total = 0
    while total < approximateBytes {
        let item = dynamoItem(&r, index: items.count)
        total += item.utf8.count + 1
        items.append(item)
    }
    let last = "{\"pk\":{\"S\":\"tenant#acme\"},\"sk\":{\"S\":\"event#\(items.count)\"}}"
    return Array("{\"Count\":\(items.count),\"Items\":[\(items.joined(separator: ","))],\"LastEvaluatedKey\":\(last),\"ScannedCount\":\(items.count)}".utf8)
}

private func dynamoItem(_ r: inout SeededRandom, index: Int) -> String {
    let attrs = [
        "\"pk\":{\"S\":\"tenant#acme\"}",
        "\"sk\":{\"S\":\"event#\(index)\"}",
        "\"event_type\":{\"S\":\(quoted(["order.created", "order.paid", "user.signup"][r.below(3)]))}",
        "\"attempts\":{\"N\":\"\(r.below(10))\"}",
        "\"amount\":{\"N\":\"\(r.below(100_000)).\(10 + r.below(90))\"}",
        "\"delivered\":{\"BOOL\":\(r.chance(0.5))}",
        "\"error\":{\"NULL\":true}",
        "\"tags\":{\"L\":[{\"S\":\"alpha\"},{\"S\":\"caf\\u00e9\"},{\"N\":\"\(r.below(1000))\"}]}",
        "\"payload\":{\"M\":{\"order_id\":{\"S\":\"ord-\(r.below(1_000_000))\"},\"customer\":{\"M\":{\"id\":{\"N\":\"\(r.below(1_000_000))\"},\"email\":{\"S\":\"u\(r.below(9999))@example.com\"}}},\"note\":{\"S\":\(quoted(String(repeating: "lorem ipsum ", count: 1 + r.below(8))))}}}",
    ]
    return "{" + attrs.joined(separator: ",") + "}"
}
