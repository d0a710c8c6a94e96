// libFuzzer target for the AWS response decoders (Sources/Pismo/AWS): the bytes play an AWS
// endpoint's (or a metadata service's) answer. Byte 0 minus '0' picks the decoder (its value mod
// 10) and a few flags (its value / 10); the rest is the response body. Decoders and invariants:
//   0  DynamoDB items (GetItem/PutItem `Item`/`Attributes`, Query `Items`/`LastEvaluatedKey`,
//      DescribeTable): every item read is written back and read again unchanged.
//   1  one AttributeValue: read → write → read is the identity.
//   2  DynamoDB Streams GetRecords: every record's keys and images survive the same round trip.
//   3  BatchWriteItem `UnprocessedItems`: written back as `RequestItems`, they read back the same.
//   4  SQS JSON (ReceiveMessage with its MD5 checks, batch `Failed`, `Attributes`): well-formed
//      message attributes written back read back the same, with the same MD5.
//   5  error bodies (JSON `__type`/`message`, query-protocol XML), status and headers from the
//      flags: the short code has no '#' or ':' left, and a permanent error is never retryable.
//   6  XMLText: any text, escaped into an XML element, is found and decoded back to itself.
//   7  STS AssumeRoleWithWebIdentity XML; 8 IMDS/container credentials JSON; 9 timestamps:
//      an `Expiration` read re-parses from its own spelling to the same instant (clamped).
import Foundation
import PismoJSON
import Transport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAWS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = Int(data[0] &- UInt8(ascii: "0"))
    let flags = selector / 10
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch selector % 10 {
    case 0: dynamoDBItems(body)
    case 1: attributeValue(body)
    case 2: streamRecords(body)
    case 3: unprocessedItems(body)
    case 4: sqsResponses(body)
    case 5: errorBody(body, flags: flags)
    case 6: xmlText(body)
    case 7: stsCredentials(body, flags: flags)
    case 8: metadataCredentials(body)
    default: timestamp(body)
    }
    return 0
}

private func document(_ bytes: [UInt8]) -> JSONNode? {
    (try? JSONDocument(bytes: bytes))?.root
}

// MARK: DynamoDB and Streams

/// What we read from DynamoDB is written back unchanged (UnprocessedItems resent, leases and
/// checkpoints updated from what was read): read(write(item)) == item.
private func checkRoundTrip(_ item: DynamoDBItem) {
    var w = JSONWriter()
    DynamoDBValue.writeItem(item, into: &w)
    guard let again = document(w.bytes) else { preconditionFailure("invariant: a written item is not JSON") }
    precondition(DynamoDBValue.readItem(again) == item, "invariant: an item changed in a write/read round trip")
    _ = item.dynamoDBSize  // arithmetic over every value: must not trap
}

private func dynamoDBItems(_ body: [UInt8]) {
    guard let root = document(body) else { return }
    for key in ["Item", "Attributes", "LastEvaluatedKey"] {
        if let item = DynamoDBValue.readItem(root[key]) { checkRoundTrip(item) }
    }
    for node in root["Items"].items {
        if let item = DynamoDBValue.readItem(node) { checkRoundTrip(item) }
    }
    _ = DynamoDBTableDescription(json: root["Table"] ?? root)
}

private func attributeValue(_ body: [UInt8]) {
    guard let root = document(body), let value = DynamoDBValue(json: root) else { return }
    var w = JSONWriter()
    value.write(into: &w)
    guard let again = document(w.bytes) else { preconditionFailure("invariant: a written value is not JSON") }
    precondition(DynamoDBValue(json: again) == value, "invariant: a value changed in a write/read round trip")
    _ = value.dynamoDBSize
}

private func streamRecords(_ body: [UInt8]) {
    guard let root = document(body) else { return }
    for node in root["Records"].items {
        let record = StreamRecord(json: node)
        checkRoundTrip(record.keys)
        if let image = record.newImage { checkRoundTrip(image) }
        if let image = record.oldImage { checkRoundTrip(image) }
    }
    _ = root["NextShardIterator"]?.string
}

private func unprocessedItems(_ body: [UInt8]) {
    guard let root = document(body) else { return }
    let tables = DynamoDBWriteRequest.readTables(root["UnprocessedItems"])
    var w = JSONWriter()
    w.beginObject()
    for (table, writes) in tables {
        w.key(table)
        w.beginArray()
        for write in writes { write.write(into: &w) }
        w.endArray()
    }
    w.endObject()
    guard let again = document(w.bytes) else { preconditionFailure("invariant: written RequestItems are not JSON") }
    precondition(DynamoDBWriteRequest.readTables(again) == tables, "invariant: UnprocessedItems changed when resent")
    _ = DynamoDBTableDescription(json: root["TableDescription"] ?? root)
}

// MARK: SQS

private func sqsResponses(_ body: [UInt8]) {
    guard let root = document(body) else { return }
    _ = try? SQSCoding.readMessages(in: root)
    // Each message alone too, so one MD5 mismatch does not hide the rest from the fuzzer.
    for node in root["Messages"].items {
        _ = SQSCoding.readAttributes(node["MessageAttributes"])
        guard let message = try? SQSCoding.readMessage(node, operation: "ReceiveMessage") else { continue }
        _ = (message.receiveCount, message.sentTimestampMillis)
        checkAttributesRoundTrip(message.messageAttributes)
    }
    _ = SQSCoding.readFailures(root["Failed"])
    _ = SQSCoding.readStringMap(root["Attributes"])
    _ = root["Successful"].items.compactMap { $0["Id"]?.string }
}

/// Attributes received (a dead letter's reasons, a retried message) are sent on as they came:
/// when an attribute has the value its type calls for, writing and reading it changes nothing,
/// not even its MD5.
private func checkAttributesRoundTrip(_ attributes: [String: SQSMessageAttribute]) {
    let wellFormed = attributes.values.allSatisfy { a in
        a.isBinary ? (a.binaryValue != nil && a.stringValue == nil) : (a.binaryValue == nil && a.stringValue != nil)
    }
    guard wellFormed else { return }
    var w = JSONWriter()
    w.beginObject()
    SQSCoding.writeAttributes(attributes, into: &w)
    w.endObject()
    guard let again = document(w.bytes) else { preconditionFailure("invariant: written attributes are not JSON") }
    let read = SQSCoding.readAttributes(again["MessageAttributes"])
    precondition(read == attributes, "invariant: message attributes changed in a write/read round trip")
    precondition(SQSMessageMD5.attributes(read) == SQSMessageMD5.attributes(attributes), "invariant: attribute MD5 changed")
}

// MARK: Errors, XML and credentials

private func errorBody(_ body: [UInt8], flags: Int) {
    let statuses = [400, 403, 404, 413, 429, 500, 503, 200]
    var headers = HTTPHeaders()
    var payload = body[...]
    // Text before a NUL is a header value: the query-compatible code, or x-amzn-ErrorType.
    if let nul = body.firstIndex(of: 0) {
        headers.add(flags & 8 != 0 ? "x-amzn-ErrorType" : "x-amzn-query-error", String(decoding: body[..<nul], as: UTF8.self))
        payload = body[(nul + 1)...]
    }
    let response = HTTPResponse(status: statuses[flags % statuses.count], headers: headers, body: Array(payload))
    let error = AWSErrorParser.parse(response, service: "sqs", operation: "SendMessage")
    precondition(error.status == response.status, "invariant: the status is kept")
    precondition(!error.code.contains("#") && !error.code.contains(":"), "invariant: '#' or ':' left in code \(error.code)")
    precondition(!(error.isPermanent && error.isRetryable), "invariant: an error is both permanent and retryable")
    _ = (error.description, error.isThrottling, error.isTimeout, error.mayBeClockSkew)
}

private func xmlEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private func xmlText(_ body: [UInt8]) {
    let text = String(decoding: body, as: UTF8.self)
    let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>" + xmlEscaped(text) + "</Code><Message>x</Message></Error></ErrorResponse>"
    precondition(XMLText.first("Code", in: xml) == text, "invariant: element text not read back")
    precondition(XMLText.first("Code", in: xml, within: "Error") == text, "invariant: nested element text not read back")
    precondition(XMLText.first("Message", in: xml, within: "Error") == "x", "invariant: the element after the text is lost")
    // The input as a document of its own: anything goes, nothing traps.
    _ = XMLText.first("Code", in: text)
    _ = XMLText.first("AccessKeyId", in: text, within: "Credentials")
}

private func stsCredentials(_ body: [UInt8], flags: Int) {
    let response = HTTPResponse(status: flags & 1 == 0 ? 200 : 400, body: body)
    guard let credentials = try? AssumeRoleWithWebIdentityXML.parse(response, roleARN: "arn:aws:iam::123456789012:role/fuzz") else { return }
    if let expiration = credentials.expiration { checkTimestamp(expiration) }
    _ = credentials.description
}

private func metadataCredentials(_ body: [UInt8]) {
    guard let credentials = try? MetadataCredentialsJSON.parse(body, source: "fuzz") else { return }
    if let expiration = credentials.expiration { checkTimestamp(expiration) }
    _ = credentials.description
}

private func timestamp(_ body: [UInt8]) {
    if let t = AWSTimestamp(parsing: String(decoding: body, as: UTF8.self)) { checkTimestamp(t) }
}

/// A parsed instant is spelled (clamped to years 1…9999) without trapping, and the spelling
/// parses back to the same (clamped) instant.
private func checkTimestamp(_ t: AWSTimestamp) {
    let spelled = t.amzDate
    precondition(spelled.utf8.count == 16 && spelled.hasPrefix(t.scopeDate), "invariant: malformed spelling \(spelled)")
    let clamped = min(max(t.secondsSince1970, AWSTimestamp.range.lowerBound), AWSTimestamp.range.upperBound)
    precondition(AWSTimestamp(parsing: spelled)?.secondsSince1970 == clamped, "invariant: \(spelled) does not parse back")
}
