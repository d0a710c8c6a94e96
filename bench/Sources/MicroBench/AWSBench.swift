// pismo-microbench aws [ITERATIONS] [sign|receive|put]: SigV4 signing per request, SQS ReceiveMessage decode (10
// messages, MD5s checked) and DynamoDB PutItem body encode per item. Build with -c release.
import Foundation
import Pismo
import Transport

func runAWSBenchmarks(_ args: [String]) throws {
    let iterations = args.first.flatMap(Int.init) ?? 20_000
    let only = args.dropFirst().first
    print("aws microbenchmarks, \(iterations) iterations each (best of 3 runs)")
    if only == nil || only == "sign" { benchSigning(iterations) }
    if only == nil || only == "receive" { try benchReceiveDecode(iterations / 4) }
    if only == nil || only == "put" { benchPutItemEncode(iterations) }
}

/// Runs `body` `iterations` times, three rounds, and prints the best ns/op.
private func measure(_ name: String, iterations: Int, unit: String = "op", _ body: () throws -> Void) rethrows {
    var best = Double.infinity
    for _ in 0..<3 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    print(String(format: "  %-46@ %9.0f ns/%@  (%8.0f /s)", name as NSString, best, unit as NSString, 1e9 / best))
}

private func benchSigning(_ iterations: Int) {
    let signer = SigV4Signer(service: "dynamodb", region: "eu-west-1")
    let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     sessionToken: String(repeating: "T", count: 600))
    let body = DynamoDBClient.putItemBody(table: "events", item: sampleItem(payloadBytes: 400))
    let template = HTTPRequest(method: "POST", url: "https://dynamodb.eu-west-1.amazonaws.com/",
                               headers: HTTPHeaders([("Content-Type", "application/x-amz-json-1.0"),
                                                     ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                                                     ("Accept-Encoding", "identity"), ("User-Agent", "pismo")]),
                               body: body)
    let time = AWSTimestamp(secondsSince1970: 1_700_000_000)
    var sink = 0
    measure("SigV4 sign (PutItem, \(body.count) B body, token)", iterations: iterations) {
        var request = template
        sink &+= signer.sign(&request, credentials: credentials, time: time).signature.utf8.count
    }
    if sink == 42 { print(sink) }
}

private func benchReceiveDecode(_ iterations: Int) throws {
    var w = "{\"Messages\":["
    for i in 0..<10 {
        let body = "{\"client_id\":\"tenant-\(i)\",\"event_type\":\"transaction.authorized\",\"event_time\":\"2026-11-26T12:00:00Z\",\"payload\":{\"amount\":\"12.50\",\"currency\":\"EUR\",\"note\":\"\(String(repeating: "x", count: 300))\"}}"
        let attrs: [String: SQSMessageAttribute] = ["trace": .string("abc-\(i)")]
        let escaped = body.replacingOccurrences(of: "\"", with: "\\\"")
        if i > 0 { w += "," }
        w += "{\"MessageId\":\"id-\(i)\",\"ReceiptHandle\":\"\(String(repeating: "R", count: 180))\(i)\","
        w += "\"MD5OfBody\":\"\(SQSMessageMD5.body(body))\",\"Body\":\"\(escaped)\","
        w += "\"Attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1700000000000\"},"
        w += "\"MD5OfMessageAttributes\":\"\(SQSMessageMD5.attributes(attrs))\","
        w += "\"MessageAttributes\":{\"trace\":{\"DataType\":\"String\",\"StringValue\":\"abc-\(i)\"}}}"
    }
    w += "]}"
    let bytes = Array(w.utf8)
    var sink = 0
    try measure("SQS ReceiveMessage decode (10 msgs, \(bytes.count) B)", iterations: iterations, unit: "resp") {
        sink &+= try SQSClient.decodeReceiveMessage(bytes).count
    }
    if sink == 42 { print(sink) }
}

private func sampleItem(payloadBytes: Int) -> DynamoDBItem {
    [
        "client_id": .s("tenant-42"), "event_key": .s("2026-11-26T12:00:00Z#0f8fad5b-d9cb-469f-a165-70867728950e"),
        "event_id": .s("0f8fad5b-d9cb-469f-a165-70867728950e"), "event_type": .s("transaction.authorized"),
        "event_time": .s("2026-11-26T12:00:00Z"), "received_at": .s("2026-11-26T12:00:00.123Z"),
        "payload": .b(Array(repeating: 0x61, count: payloadBytes)), "direct": .bool(false), "attempts": .n("0"),
    ]
}

private func benchPutItemEncode(_ iterations: Int) {
    let item = sampleItem(payloadBytes: 500)
    let condition = DynamoDBExpressions(condition: "attribute_not_exists(#k)", names: ["#k": "event_key"])
    var sink = 0
    measure("DynamoDB PutItem encode (9 attrs, 500 B payload)", iterations: iterations, unit: "item") {
        sink &+= DynamoDBClient.putItemBody(table: "events", item: item, expressions: condition).count
    }
    if sink == 42 { print(sink) }
}
