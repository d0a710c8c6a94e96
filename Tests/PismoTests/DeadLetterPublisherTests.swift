import PismoJSON
import Testing
import Transport
@testable import Pismo

/// deliver-dlq's publisher over a scripted SQS: a letter SQS refuses for its content is sent again as
/// a reference, once; one too large with its attributes goes as a reference at once; values are sanitised.
@Suite struct DeadLetterPublisherTests {
    let letter = DeadLetter(reason: DeadLetterReason(.http4xx, "nope"), clientID: "acme", eventID: "evt-1", attempts: 1,
                            lastStatus: 400, eventKey: "k#evt-1")

    /// SQS accepting a SendMessage: answers with the digests of what was sent.
    static let accept = FakeHTTP.Reply.answer { request in
        let root = try JSONDocument(bytes: request.body).root
        var attributes: [String: SQSMessageAttribute] = [:]
        if let members = root["MessageAttributes"]?.members {
            for (name, value) in members {
                attributes[name] = SQSMessageAttribute(dataType: value["DataType"]?.string ?? "", stringValue: value["StringValue"]?.string)
            }
        }
        let body = #"{"MessageId":"m","MD5OfMessageBody":"\#(SQSMessageMD5.body(root["MessageBody"]?.string ?? ""))","#
            + #""MD5OfMessageAttributes":"\#(SQSMessageMD5.attributes(attributes))"}"#
        return HTTPResponse(status: 200, headers: HTTPHeaders([("content-type", "application/x-amz-json-1.0")]), body: Array(body.utf8))
    }
    static let refuse = FakeHTTP.json(400, #"{"__type":"com.amazonaws.sqs#InvalidMessageContents","message":"Invalid characters"}"#)

    static func sent(_ request: HTTPRequest) throws -> (body: String, attributes: [String: String]) {
        let root = try JSONDocument(bytes: request.body).root
        var attributes: [String: String] = [:]
        if let members = root["MessageAttributes"]?.members {
            for (name, value) in members { attributes[name] = value["StringValue"]?.string }
        }
        return (root["MessageBody"]?.string ?? "", attributes)
    }

    @Test func aLetterRefusedForItsContentIsSentOnceMoreAsAReference() async throws {
        let http = FakeHTTP([Self.refuse, Self.accept])
        let publisher = SQSDeadLetterPublisher(sqs: SQSClient(context: AWSTestContext.make(http)), queueURL: "http://q/1/dlq")
        try await publisher.publish(payload: Array(#"{"x":1}"#.utf8), letter: letter)
        #expect(http.requests.count == 2)
        let second = try Self.sent(http.requests[1])
        #expect(StoredEventReference(json: second.body) == StoredEventReference(clientID: "acme", eventKey: "k#evt-1", eventID: "evt-1"))
        #expect(second.attributes["pismo-body"] == "reference" && second.attributes["pismo-error"] == "http-4xx: nope")
    }

    @Test func aLetterTooLargeWithItsAttributesGoesAsAReferenceAtOnce() async throws {
        let http = FakeHTTP([Self.accept])
        let publisher = SQSDeadLetterPublisher(sqs: SQSClient(context: AWSTestContext.make(http)), queueURL: "http://q/1/dlq")
        try await publisher.publish(payload: Array(repeating: UInt8(ascii: "x"), count: SQSMessageLimits.maxMessageBytes - 10), letter: letter)
        #expect(http.requests.count == 1)
        #expect(try Self.sent(http.requests[0]).attributes["pismo-body"] == "reference")
    }

    @Test func withoutAStoredEventARefusalIsThrownForTheCallerToResolve() async throws {
        var unstored = letter
        unstored.eventKey = ""
        let http = FakeHTTP([Self.refuse])
        let publisher = SQSDeadLetterPublisher(sqs: SQSClient(context: AWSTestContext.make(http)), queueURL: "http://q/1/dlq")
        let error = await #expect(throws: AWSError.self) { try await publisher.publish(payload: Array("x".utf8), letter: unstored) }
        #expect(error?.isPermanent == true && http.requests.count == 1)
    }

    @Test func attributeTextIsSanitisedAndBounded() {
        #expect(SQSMessageLimits.sanitized("a\u{0}b\u{FFFE}c\td") == "a\u{FFFD}b\u{FFFD}c\td")
        let cut = SQSMessageLimits.truncated(String(repeating: "é", count: 5_000), maxBytes: 4_096)
        #expect(cut.utf8.count <= 4_096 && cut.hasSuffix("…"))
        #expect(SQSMessageLimits.truncated("abcdef", maxBytes: 2).isEmpty, "not even the marker fits")
        #expect(SQSMessageLimits.truncated("short", maxBytes: 4_096) == "short")
    }
}
