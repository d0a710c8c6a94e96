import FakeAWSCore
import Pismo
import Foundation
import Testing
import Transport

/// The fake is a bench fixture, but a fixture that lies makes every figure a lie: these drive it
/// through Pismo's own clients (real wire formats, SigV4, CRC32) on loopback and check the
/// semantics the pipeline depends on.
@Suite struct FakeAWSTests {
    struct Running {
        let server: HTTPServer
        let context: AWSClientContext
        var dynamo: DynamoDBClient { DynamoDBClient(context: context) }
        var streams: DynamoDBStreamsClient { DynamoDBStreamsClient(context: context) }
        var sqs: SQSClient { SQSClient(context: context) }
    }

    static let group = try! EventLoopGroup(threads: 1)
    static let http = HTTPClient()

    func start(_ configure: (inout FakeConfiguration) -> Void = { _ in }) async throws -> Running {
        var configuration = FakeConfiguration()
        configuration.verifySignatures = true
        configure(&configuration)
        let (_, server) = try await FakeAWS.serve(configuration, server: HTTPServerConfiguration(host: "127.0.0.1", port: 0), group: Self.group)
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(server.port)", "AWS_REGION": "us-east-1"], readFile: { _ in nil })
        let clock = AWSClock()
        let credentials = CachedCredentialProvider(StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")), clock: clock)
        let context = AWSClientContext(config: AWSConfig(environment: env), http: Self.http, credentials: credentials, clock: clock,
                                       retry: RetryPolicy(maxAttempts: 1), timeout: .seconds(30))
        return Running(server: server, context: context)
    }

    func eventsTable(_ f: Running) async throws {
        _ = try await f.dynamo.createTable(name: "Events", key: [DynamoDBKeyElement("client_id", .hash, .s), DynamoDBKeyElement("event_key", .range, .s)],
                                           stream: .newImage)
    }

    @Test func conditionalPutStoresOnceAndRefusesTheSecond() async throws {
        let f = try await start()
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        try await eventsTable(f)
        let absent = DynamoDBExpressions(condition: "attribute_not_exists(client_id)")
        let key: DynamoDBItem = ["client_id": .s("c1"), "event_key": .s("t#1")]
        try await f.dynamo.putItem(table: "Events", item: key.merging(["payload": .s("first")]) { a, _ in a }, expressions: absent)
        await #expect {
            try await f.dynamo.putItem(table: "Events", item: key.merging(["payload": .s("second")]) { a, _ in a }, expressions: absent)
        } throws: { ($0 as? AWSError)?.isConditionalCheckFailed == true }
        let stored = try await f.dynamo.getItem(table: "Events", key: key, consistentRead: true)
        #expect(stored?["payload"] == .s("first"))
        // Another sort key in the same partition is another item: the condition is per item.
        try await f.dynamo.putItem(table: "Events", item: ["client_id": .s("c1"), "event_key": .s("t#2")], expressions: absent)
    }

    @Test func leaseStyleConditionsCompareValues() async throws {
        let f = try await start()
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        _ = try await f.dynamo.createTable(name: "leases", key: [DynamoDBKeyElement("shard_id", .hash, .s)])
        let key: DynamoDBItem = ["shard_id": .s("s1")]
        let take = DynamoDBExpressions(condition: "attribute_not_exists(shard_id)", update: "SET #o = :me, lease_expires = :exp",
                                       names: ["#o": "owner"], values: [":me": .s("a"), ":exp": .number(100)])
        try await f.dynamo.updateItem(table: "leases", key: key, expressions: take)
        let renewAsB = DynamoDBExpressions(condition: "#o = :me", update: "SET lease_expires = :exp", names: ["#o": "owner"],
                                           values: [":me": .s("b"), ":exp": .number(200)])
        await #expect { try await f.dynamo.updateItem(table: "leases", key: key, expressions: renewAsB) } throws: {
            ($0 as? AWSError)?.isConditionalCheckFailed == true
        }
        // Numbers compare by value: 100 = 1.00e2.
        let seen = DynamoDBExpressions(condition: "#o = :me AND lease_expires = :seen", update: "SET lease_expires = :exp REMOVE gone",
                                       names: ["#o": "owner"], values: [":me": .s("a"), ":seen": .n("1.00e2"), ":exp": .number(300)])
        try await f.dynamo.updateItem(table: "leases", key: key, expressions: seen)
        let item = try await f.dynamo.getItem(table: "leases", key: key)
        #expect(item?["lease_expires"] == .n("300"))
        #expect(item?["owner"] == .s("a"))
        // The lease counter, as DynamoDBLeaseStore moves it: created at 1, then counted up.
        let count = DynamoDBExpressions(condition: "#o = :me", update: "SET #c = if_not_exists(#c, :zero) + :one",
                                        names: ["#o": "owner", "#c": "lease_counter"], values: [":me": .s("a"), ":zero": .number(0), ":one": .number(1)])
        try await f.dynamo.updateItem(table: "leases", key: key, expressions: count)
        try await f.dynamo.updateItem(table: "leases", key: key, expressions: count)
        #expect(try await f.dynamo.getItem(table: "leases", key: key)?["lease_counter"] == .n("2"))
    }

    @Test func refusesWhatItDoesNotImplementAndUnusedPlaceholders() async throws {
        let f = try await start()
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        try await eventsTable(f)
        let key: DynamoDBItem = ["client_id": .s("c"), "event_key": .s("k")]
        let unimplemented = DynamoDBExpressions(condition: "size(#p) > :n", names: ["#p": "payload"], values: [":n": .number(1)])
        await #expect { try await f.dynamo.putItem(table: "Events", item: key, expressions: unimplemented) } throws: {
            let e = $0 as? AWSError
            return e?.code == "ValidationException" && e?.message.contains("fakeaws does not implement") == true
        }
        let unused = DynamoDBExpressions(condition: "attribute_not_exists(client_id)", values: [":x": .s("unused")])
        await #expect { try await f.dynamo.putItem(table: "Events", item: key, expressions: unused) } throws: {
            ($0 as? AWSError)?.message.contains("unused") == true
        }
        // Nothing was stored by the refused requests.
        #expect(try await f.dynamo.getItem(table: "Events", key: key) == nil)
    }

    @Test func streamRecordsAreShapedAsAWSShapesThem() async throws {
        let f = try await start { $0.shards = 3 }
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        try await eventsTable(f)
        for client in ["a", "b", "c", "d"] {
            try await f.dynamo.putItem(table: "Events", item: ["client_id": .s(client), "event_key": .s("1"), "payload": .s("p-\(client)")])
        }
        try await f.dynamo.putItem(table: "Events", item: ["client_id": .s("a"), "event_key": .s("1"), "payload": .s("p-a")])  // no change: no record
        try await f.dynamo.putItem(table: "Events", item: ["client_id": .s("a"), "event_key": .s("1"), "payload": .s("changed")])
        try await f.dynamo.deleteItem(table: "Events", key: ["client_id": .s("b"), "event_key": .s("1")])

        let table = try await f.dynamo.describeTable(name: "Events")
        let arn = try #require(table.latestStreamARN)
        let shards = try await f.streams.describeAllShards(streamARN: arn)
        #expect(shards.count == 3)
        var records: [StreamRecord] = []
        for shard in shards {
            let iterator = try await f.streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .trimHorizon)
            let page = try await f.streams.getRecords(iterator: iterator)
            #expect(page.next != nil)  // open shard
            let sequences = page.records.map(\.sequenceNumber)
            #expect(sequences == sequences.sorted { sequenceNumberPrecedes($0, $1) })
            records += page.records
        }
        // One partition's changes all land in one shard (its three records for "a" read from one iterator).
        #expect(Set(records.map(\.eventID)).count == records.count)
        #expect(records.map(\.eventName).sorted() == ["INSERT", "INSERT", "INSERT", "INSERT", "MODIFY", "REMOVE"])
        for r in records {
            #expect(r.eventID.count == 32)
            #expect(r.streamViewType == "NEW_IMAGE")
            #expect((r.sizeBytes ?? 0) > 0)
            #expect(r.approximateCreationDateTime != nil)
            #expect(r.oldImage == nil)  // NEW_IMAGE never carries OldImage
            #expect(r.keys.count == 2)
        }
        let modify = try #require(records.first { $0.eventName == "MODIFY" })
        #expect(modify.newImage?["payload"] == .s("changed"))
        #expect(records.first { $0.eventName == "REMOVE" }?.newImage == nil)
        // AFTER_SEQUENCE_NUMBER resumes after a record; LATEST sees only what comes next.
        let first = try #require(records.first { $0.keys["client_id"] == .s("a") && $0.eventName == "INSERT" })
        let shardOfA = try await shardHolding(first, shards: shards, f: f, arn: arn)
        let after = try await f.streams.getShardIterator(streamARN: arn, shardID: shardOfA, type: .afterSequenceNumber(first.sequenceNumber))
        let rest = try await f.streams.getRecords(iterator: after)
        #expect(!rest.records.contains { $0.sequenceNumber == first.sequenceNumber })
        #expect(rest.records.contains { $0.eventName == "MODIFY" && $0.keys["client_id"] == .s("a") })
    }

    private func shardHolding(_ record: StreamRecord, shards: [StreamShard], f: Running, arn: String) async throws -> String {
        for shard in shards {
            let it = try await f.streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .atSequenceNumber(record.sequenceNumber))
            if try await f.streams.getRecords(iterator: it).records.first?.sequenceNumber == record.sequenceNumber { return shard.shardID }
        }
        throw AWSError(service: "test", operation: "find", status: nil, code: "NotFound", message: "no shard holds the record")
    }

    @Test func sqsReceiptHandlesLongPollAndRedrive() async throws {
        let f = try await start()
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        let dlq = try await f.sqs.createQueue(name: "dlq")
        let dlqARN = try #require(try await f.sqs.getQueueAttributes(queueURL: dlq, names: ["QueueArn"])["QueueArn"])
        let q = try await f.sqs.createQueue(name: "q", attributes: ["RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"2"}"#])
        // A long poll on an empty queue returns the message sent while it waits (MD5s checked by the client).
        async let polled = f.sqs.receiveMessage(queueURL: q, maxMessages: 10, waitSeconds: 20, visibilityTimeout: 0)
        try await Task.sleep(for: .milliseconds(200))
        _ = try await f.sqs.sendMessage(queueURL: q, body: "héllo \u{2028}", attributes: ["pismo-error": .string("invalid_json")])
        let got = try await polled
        #expect(got.map(\.body) == ["héllo \u{2028}"])
        #expect(got.first?.messageAttributes["pismo-error"]?.stringValue == "invalid_json")
        // Second receive: count 2, a new handle; the first handle no longer deletes.
        let again = try await f.sqs.receiveMessage(queueURL: q, maxMessages: 10, waitSeconds: 0, visibilityTimeout: 0)
        #expect(again.first?.receiveCount == 2)
        try await f.sqs.deleteMessage(queueURL: q, receiptHandle: got[0].receiptHandle)
        // Over maxReceiveCount: moved to the DLQ with its attributes, not received from q.
        #expect(try await f.sqs.receiveMessage(queueURL: q, maxMessages: 10, waitSeconds: 0).isEmpty)
        let dead = try await f.sqs.receiveMessage(queueURL: dlq, maxMessages: 10, waitSeconds: 0)
        #expect(dead.map(\.body) == ["héllo \u{2028}"])
        #expect(dead.first?.messageAttributes["pismo-error"]?.stringValue == "invalid_json")
        let result = try await f.sqs.deleteMessageBatch(queueURL: dlq, entries: [("1", dead[0].receiptHandle), ("2", "garbage")])
        #expect(result.successful == ["1"])
        #expect(result.failed.map(\.code) == ["ReceiptHandleIsInvalid"])
    }

    @Test func injectedThrottlingUsesEachServicesErrorShape() async throws {
        let f = try await start { $0.throttleRate = 1 }
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        try await eventsTable(f)  // control plane is not faulted by default
        let q = try await f.sqs.createQueue(name: "q")
        await #expect { try await f.dynamo.getItem(table: "Events", key: ["client_id": .s("c"), "event_key": .s("k")]) } throws: {
            let e = $0 as? AWSError
            return e?.code == "ProvisionedThroughputExceededException" && e?.isRetryable == true
        }
        await #expect { _ = try await f.sqs.sendMessage(queueURL: q, body: "x") } throws: {
            let e = $0 as? AWSError
            return e?.code == "RequestThrottled" && e?.queryCompatibleCode == "RequestThrottled" && e?.isRetryable == true
        }
        // BatchWriteItem throttles per write: every write comes back unprocessed, with HTTP 200.
        let left = try await f.dynamo.batchWriteItem(["Events": [.put(["client_id": .s("c"), "event_key": .s("k")])]], maxRounds: 1)
        #expect(left["Events"]?.count == 1)
    }

    @Test func refusesAWrongSignature() async throws {
        let f = try await start { $0.secretKey = "other" }
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        await #expect { _ = try await f.sqs.createQueue(name: "q") } throws: { ($0 as? AWSError)?.code == "SignatureDoesNotMatch" }
        await #expect { _ = try await f.dynamo.describeTable(name: "x") } throws: { ($0 as? AWSError)?.code == "InvalidSignatureException" }
    }

    @Test func queryProtocolSendReceiveDelete() async throws {
        let f = try await start { $0.verifySignatures = false }
        defer { Task { await f.server.shutdown(gracePeriod: .zero) } }
        let url = try await f.sqs.createQueue(name: "legacy")
        func post(_ form: String) async throws -> String {
            let request = HTTPRequest(method: "POST", url: "http://127.0.0.1:\(f.server.port)/",
                                      headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]), body: Array(form.utf8))
            let response = try await Self.http.execute(request, timeout: .seconds(10))
            return String(decoding: response.body, as: UTF8.self)
        }
        let encoded = url.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
        let sent = try await post("Action=SendMessage&Version=2012-11-05&QueueUrl=\(encoded)&MessageBody=a+%3Cb%3E+%26")
        #expect(sent.contains("<MD5OfMessageBody>\(SQSMessageMD5.body("a <b> &"))</MD5OfMessageBody>"))
        let received = try await post("Action=ReceiveMessage&QueueUrl=\(encoded)&MaxNumberOfMessages=10&AttributeName.1=All")
        #expect(received.contains("<Body>a &lt;b&gt; &amp;</Body>"))
        #expect(received.contains("<Name>ApproximateReceiveCount</Name><Value>1</Value>"))
        let handle = try #require(received.split(separator: "<ReceiptHandle>").last?.split(separator: "<").first)
        let deleted = try await post("Action=DeleteMessageBatch&QueueUrl=\(encoded)&DeleteMessageBatchRequestEntry.1.Id=m&DeleteMessageBatchRequestEntry.1.ReceiptHandle=\(handle)")
        #expect(deleted.contains("<DeleteMessageBatchResultEntry><Id>m</Id></DeleteMessageBatchResultEntry>"))
        let missing = try await post("Action=GetQueueUrl&QueueName=nope")
        #expect(missing.contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"))
        #expect(try await f.sqs.getQueueAttributes(queueURL: url, names: ["ApproximateNumberOfMessages"])["ApproximateNumberOfMessages"] == "0")
    }
}
