import PismoJSON
import Foundation
import Testing
import Transport
@testable import Pismo

@Suite("SQS client over the scripted transport")
struct AWSSQSTests {
    static func body(_ r: HTTPRequest) throws -> JSONNode { try JSONDocument(bytes: r.body).root }

    @Test func md5VectorsFromTheNotes() {
        #expect(SQSMessageMD5.body("my mesage") == "f543352d5773ba2530f769bc8edcf94a")
        #expect(SQSMessageMD5.attributes(["timestamp": .number("1")]) == "b6ba7933bdd4077bb2cc8686b0146cfa")
        // Order-independent input, sorted by name; custom type suffixes are part of the digest.
        let a = SQSMessageMD5.attributes(["b": .string("x"), "a": .binary([1, 2])])
        let b = SQSMessageMD5.attributes(["a": .binary([1, 2]), "b": .string("x")])
        #expect(a == b)
        #expect(SQSMessageMD5.attributes(["n": .number("1")]) != SQSMessageMD5.attributes(["n": .init(dataType: "Number.int", stringValue: "1")]))
    }

    @Test func sendMessageChecksBothDigests() async throws {
        let attrs: [String: SQSMessageAttribute] = ["timestamp": .number("1")]
        let ok = #"{"MessageId":"m1","MD5OfMessageBody":"f543352d5773ba2530f769bc8edcf94a","MD5OfMessageAttributes":"b6ba7933bdd4077bb2cc8686b0146cfa"}"#
        let http = FakeHTTP([FakeHTTP.json(200, ok), FakeHTTP.json(200, #"{"MessageId":"m2","MD5OfMessageBody":"00"}"#)])
        let sqs = SQSClient(context: AWSTestContext.make(http))
        let sent = try await sqs.sendMessage(queueURL: "http://q/1/events", body: "my mesage", attributes: attrs)
        #expect(sent.messageID == "m1")
        let req = try Self.body(http.requests[0])
        #expect(req["QueueUrl"]?.string == "http://q/1/events")
        #expect(req["MessageBody"]?.string == "my mesage")
        #expect(req["MessageAttributes"]?["timestamp"]?["DataType"]?.string == "Number")
        let error = await #expect(throws: AWSError.self) { try await sqs.sendMessage(queueURL: "http://q", body: "x") }
        #expect(error?.code == AWSError.md5Mismatch)
    }

    @Test func receiveDecodesMessagesAttributesAndReceiveCount() async throws {
        let attrs: [String: SQSMessageAttribute] = ["kind": .string("a"), "blob": .binary([0, 255])]
        let md5Body = SQSMessageMD5.body(#"{"x":1}"#)
        let response = """
        {"Messages":[{"MessageId":"id1","ReceiptHandle":"rh1","MD5OfBody":"\(md5Body)",
          "Body":"{\\"x\\":1}","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1700000000123"},
          "MD5OfMessageAttributes":"\(SQSMessageMD5.attributes(attrs))",
          "MessageAttributes":{"kind":{"DataType":"String","StringValue":"a"},"blob":{"DataType":"Binary","BinaryValue":"AP8="}}},
         {"MessageId":"id2","ReceiptHandle":"rh2","MD5OfBody":"\(SQSMessageMD5.body("plain"))","Body":"plain"}]}
        """
        let http = FakeHTTP([FakeHTTP.json(200, response)])
        let sqs = SQSClient(context: AWSTestContext.make(http))
        let messages = try await sqs.receiveMessage(queueURL: "http://q", maxMessages: 10, waitSeconds: 20)
        #expect(messages.count == 2)
        #expect(messages[0].body == "{\"x\":1}")
        #expect(messages[0].receiveCount == 3)
        #expect(messages[0].sentTimestampMillis == 1_700_000_000_123)
        #expect(messages[0].messageAttributes == attrs)
        #expect(messages[1].receiveCount == 1)
        let req = try Self.body(http.requests[0])
        #expect(req["WaitTimeSeconds"]?.int == 20)
        #expect(req["MaxNumberOfMessages"]?.int == 10)
        #expect(req["MessageAttributeNames"].items.first?.string == "All")
        #expect(try #require(http.timeouts.first) > Duration.seconds(20), "HTTP timeout exceeds the long-poll wait")
    }

    @Test func receiveRejectsACorruptedBody() async throws {
        let bad = #"{"Messages":[{"MessageId":"id1","ReceiptHandle":"rh","MD5OfBody":"d41d8cd98f00b204e9800998ecf8427e","Body":"changed"}]}"#
        let sqs = SQSClient(context: AWSTestContext.make(FakeHTTP([FakeHTTP.json(200, bad)])))
        let error = await #expect(throws: AWSError.self) { try await sqs.receiveMessage(queueURL: "http://q", waitSeconds: 0) }
        #expect(error?.code == AWSError.md5Mismatch)
    }

    @Test func batchFailuresArePerEntryDespiteHTTP200() async throws {
        let response = """
        {"Successful":[{"Id":"a","MessageId":"ma","MD5OfMessageBody":"\(SQSMessageMD5.body("A"))"},
                       {"Id":"c","MessageId":"mc","MD5OfMessageBody":"ffff"}],
         "Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidMessageContents","Message":"bad char"}]}
        """
        let http = FakeHTTP([FakeHTTP.json(200, response),
                                 FakeHTTP.json(200, #"{"Successful":[{"Id":"1"}],"Failed":[{"Id":"2","SenderFault":true,"Code":"ReceiptHandleIsInvalid"}]}"#),
                                 FakeHTTP.json(200, #"{"Successful":[],"Failed":[{"Id":"v","SenderFault":false,"Code":"InternalError"}]}"#)])
        let sqs = SQSClient(context: AWSTestContext.make(http))
        let sent = try await sqs.sendMessageBatch(queueURL: "http://q", entries: [
            SQSSendEntry(id: "a", body: "A"), SQSSendEntry(id: "b", body: "\u{1}"), SQSSendEntry(id: "c", body: "C"),
        ])
        #expect(sent.successful.map(\.id) == ["a"])
        #expect(Set(sent.failed.map(\.id)) == ["b", "c"])
        #expect(sent.failed.first { $0.id == "c" }?.code == AWSError.md5Mismatch)
        #expect(sent.failed.first { $0.id == "b" }?.senderFault == true)
        let deleted = try await sqs.deleteMessageBatch(queueURL: "http://q", entries: [("1", "h1"), ("2", "h2")])
        #expect(deleted.successful == ["1"])
        #expect(deleted.failed.map(\.code) == ["ReceiptHandleIsInvalid"])
        let vis = try await sqs.changeMessageVisibilityBatch(queueURL: "http://q", entries: [.init(id: "v", receiptHandle: "h", visibilityTimeout: 0)])
        #expect(vis.failed.map(\.id) == ["v"])
        #expect(try Self.body(http.requests[2])["Entries"].items.first?["VisibilityTimeout"]?.int == 0)
    }

    @Test func queueManagementCalls() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"QueueUrl":"http://q/123/events"}"#),
            FakeHTTP.json(200, #"{"QueueUrl":"http://q/123/events"}"#),
            FakeHTTP.json(200, #"{"Attributes":{"VisibilityTimeout":"30","ApproximateNumberOfMessages":"0"}}"#),
            FakeHTTP.json(200, "{}"),
            FakeHTTP.json(200, #"{"QueueUrls":["http://q/123/events"],"NextToken":"t2"}"#),
            FakeHTTP.json(200, "{}"),
        ])
        let sqs = SQSClient(context: AWSTestContext.make(http))
        #expect(try await sqs.createQueue(name: "events", attributes: ["VisibilityTimeout": "30"]) == "http://q/123/events")
        #expect(try await sqs.getQueueUrl(name: "events") == "http://q/123/events")
        #expect(try await sqs.getQueueAttributes(queueURL: "http://q/123/events")["VisibilityTimeout"] == "30")
        try await sqs.setQueueAttributes(queueURL: "http://q/123/events", attributes: ["VisibilityTimeout": "60"])
        let page = try await sqs.listQueues(prefix: "ev")
        #expect(page.queueURLs == ["http://q/123/events"])
        #expect(page.nextToken == "t2")
        try await sqs.purgeQueue(queueURL: "http://q/123/events")
        #expect(http.requests.map { $0.headers["X-Amz-Target"] ?? "" } == [
            "AmazonSQS.CreateQueue", "AmazonSQS.GetQueueUrl", "AmazonSQS.GetQueueAttributes",
            "AmazonSQS.SetQueueAttributes", "AmazonSQS.ListQueues", "AmazonSQS.PurgeQueue",
        ])
        #expect(try Self.body(http.requests[0])["Attributes"]?["VisibilityTimeout"]?.string == "30")
    }
}
