import Foundation
import Testing
import Transport
@testable import Pismo

/// Every client call against a real moto_server with IAM signature checking on (see MotoServer).
@Suite("AWS clients against moto (loopback)", .timeLimit(.minutes(2)))
struct AWSIntegrationTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }

    @Test func sqsEveryCall() async throws {
        let moto = try await MotoServer.shared()
        let sqs = SQSClient(context: moto.context())
        let name = Self.unique("events")
        let url = try await sqs.createQueue(name: name, attributes: ["VisibilityTimeout": "30"])
        #expect(try await sqs.getQueueUrl(name: name) == url)
        try await sqs.setQueueAttributes(queueURL: url, attributes: ["VisibilityTimeout": "45"])
        #expect(try await sqs.getQueueAttributes(queueURL: url)["VisibilityTimeout"] == "45")
        #expect(try await sqs.listQueues(prefix: name).queueURLs.contains(url))

        let attrs: [String: SQSMessageAttribute] = ["kind": .string("a"), "n": .number("7"), "raw": .binary([0, 1, 2])]
        _ = try await sqs.sendMessage(queueURL: url, body: #"{"event":1}"#, attributes: attrs)
        let batch = try await sqs.sendMessageBatch(queueURL: url, entries: (2...4).map { SQSSendEntry(id: "e\($0)", body: "{\"event\":\($0)}") })
        #expect(batch.successful.count == 3)
        #expect(batch.failed.isEmpty)

        var received: [SQSMessage] = []
        for _ in 0..<5 where received.count < 4 {
            received += try await sqs.receiveMessage(queueURL: url, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 30)
        }
        #expect(received.count == 4)
        let first = try #require(received.first { $0.body == #"{"event":1}"# })
        #expect(first.messageAttributes == attrs, "attributes survive with a verified MD5")
        #expect(first.receiveCount == 1)

        // Make it visible again: the second receive counts 2 and carries a new receipt handle.
        try await sqs.changeMessageVisibility(queueURL: url, receiptHandle: first.receiptHandle, visibilityTimeout: 0)
        let again = try await sqs.receiveMessage(queueURL: url, maxMessages: 1, waitSeconds: 1)
        #expect(again.first?.messageID == first.messageID)
        #expect(again.first?.receiveCount == 2)
        try await sqs.deleteMessage(queueURL: url, receiptHandle: try #require(again.first).receiptHandle)

        let others = received.filter { $0.messageID != first.messageID }
        let vis = try await sqs.changeMessageVisibilityBatch(queueURL: url, entries: others.enumerated().map {
            SQSVisibilityEntry(id: "v\($0.offset)", receiptHandle: $0.element.receiptHandle, visibilityTimeout: 60)
        })
        #expect(vis.successful.count == others.count)
        var entries = others.enumerated().map { (id: "d\($0.offset)", receiptHandle: $0.element.receiptHandle) }
        entries.append((id: "bogus", receiptHandle: "not-a-handle"))
        let deleted = try await sqs.deleteMessageBatch(queueURL: url, entries: entries)
        #expect(deleted.successful.count == others.count)
        #expect(deleted.failed.map(\.id) == ["bogus"], "per-entry failure inside an HTTP 200")

        try await sqs.purgeQueue(queueURL: url)
        let missing = await #expect(throws: AWSError.self) { try await sqs.getQueueUrl(name: Self.unique("nope")) }
        #expect(missing?.code.contains("QueueDoesNotExist") == true || missing?.code.contains("NonExistentQueue") == true)
    }

    @Test func sqsManyConcurrentSends() async throws {
        let moto = try await MotoServer.shared()
        let sqs = SQSClient(context: moto.context())
        let url = try await sqs.createQueue(name: Self.unique("burst"))
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<20 { group.addTask { try await sqs.sendMessage(queueURL: url, body: "m\(i)").messageID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 20)
        #expect(try await sqs.getQueueAttributes(queueURL: url, names: ["ApproximateNumberOfMessages"])["ApproximateNumberOfMessages"] == "20")
    }

    @Test func dynamoDBEveryCall() async throws {
        let moto = try await MotoServer.shared()
        let ddb = DynamoDBClient(context: moto.context())
        let table = Self.unique("events")
        let created = try await ddb.createTable(name: table, key: [.init("pk", .hash, .s), .init("sk", .range, .s)], stream: .newImage)
        #expect(created.name == table)
        #expect(try await ddb.describeTable(name: table).keySchema == ["pk", "sk"])

        let item: DynamoDBItem = ["pk": .s("c1"), "sk": .s("001"), "n": .n("12345678901234567890.5"), "b": .b([9, 8]),
                                  "m": .m(["l": .l([.bool(true), .null])]), "ss": .ss(["x", "y"])]
        let once = DynamoDBExpressions(condition: "attribute_not_exists(#pk)", names: ["#pk": "pk"])
        try await ddb.putItem(table: table, item: item, expressions: once)
        let dup = await #expect(throws: AWSError.self) { try await ddb.putItem(table: table, item: item, expressions: once) }
        #expect(dup?.isConditionalCheckFailed == true)
        let key: DynamoDBItem = ["pk": .s("c1"), "sk": .s("001")]
        let got = try await ddb.getItem(table: table, key: key, consistentRead: true)
        #expect(got?["n"] == .n("12345678901234567890.5"), "numbers stay exact")
        #expect(got?["b"] == .b([9, 8]))
        #expect(got?["m"] == item["m"])

        let updated = try await ddb.updateItem(table: table, key: key,
            expressions: DynamoDBExpressions(condition: "attribute_exists(pk)", update: "SET #s = :s",
                                             names: ["#s": "state"], values: [":s": .s("delivered")]),
            returnValues: .allNew)
        #expect(updated?["state"] == .s("delivered"))

        let writes: [DynamoDBWriteRequest] = (2...6).map { .put(["pk": .s("c1"), "sk": .s(String(format: "%03d", $0))]) }
        #expect(try await ddb.batchWriteItem([table: writes]).isEmpty)
        let q = DynamoDBQuery(table: table, expressions: DynamoDBExpressions(keyCondition: "pk = :p", values: [":p": .s("c1")]), limit: 2)
        let firstPage = try await ddb.query(q)
        #expect(firstPage.items.count == 2)
        #expect(firstPage.lastEvaluatedKey != nil)
        #expect(try await ddb.queryAll(q).count == 6)
        #expect(try await ddb.scanAll(DynamoDBQuery(table: table, limit: 4)).count == 6)
        let fetched = try await ddb.batchGetItem([table: [key, ["pk": .s("c1"), "sk": .s("004")], ["pk": .s("zz"), "sk": .s("0")]]])
        #expect(fetched[table]?.count == 2)

        try await ddb.transactWriteItems([
            .put(table: table, item: ["pk": .s("c2"), "sk": .s("001")], expressions: DynamoDBExpressions(condition: "attribute_not_exists(pk)")),
            .delete(table: table, key: ["pk": .s("c1"), "sk": .s("006")]),
            .conditionCheck(table: table, key: key, expressions: DynamoDBExpressions(condition: "attribute_exists(pk)")),
        ], clientRequestToken: Self.unique("tx"))
        #expect(try await ddb.getItem(table: table, key: ["pk": .s("c2"), "sk": .s("001")]) != nil)
        let cancelled = await #expect(throws: AWSError.self) {
            try await ddb.transactWriteItems([.put(table: table, item: ["pk": .s("c2"), "sk": .s("001")],
                                                   expressions: DynamoDBExpressions(condition: "attribute_not_exists(pk)"))])
        }
        #expect(cancelled?.code == "TransactionCanceledException")

        let old = try await ddb.deleteItem(table: table, key: key, returnValues: .allOld)
        #expect(old?["state"] == .s("delivered"))
        _ = try await ddb.updateTable(name: table, stream: nil)
        #expect(try await ddb.describeTable(name: table).streamEnabled == false)
        try await ddb.deleteTable(name: table)
        let gone = await #expect(throws: AWSError.self) { try await ddb.describeTable(name: table) }
        #expect(gone?.code == "ResourceNotFoundException")
    }

    @Test func streamsEveryCall() async throws {
        let moto = try await MotoServer.shared()
        let context = moto.context()
        let ddb = DynamoDBClient(context: context)
        let streams = DynamoDBStreamsClient(context: context)
        let table = Self.unique("changes")
        let created = try await ddb.createTable(name: table, key: [.init("pk", .hash, .s)], stream: .newAndOldImages)
        let arn = try #require(created.latestStreamARN)
        let key: DynamoDBItem = ["pk": .s("a")]
        try await ddb.putItem(table: table, item: ["pk": .s("a"), "v": .n("1")])
        try await ddb.putItem(table: table, item: ["pk": .s("a"), "v": .n("2")])
        try await ddb.deleteItem(table: table, key: key)

        #expect(try await streams.listStreams(tableName: table).streams.map(\.streamARN) == [arn])
        let shards = try await streams.describeAllShards(streamARN: arn)
        let shard = try #require(shards.first)
        let iterator = try await streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .trimHorizon)
        let page = try await streams.getRecords(iterator: iterator, limit: 100)
        #expect(page.records.map(\.eventName) == ["INSERT", "MODIFY", "REMOVE"])
        #expect(page.records[0].newImage?["v"] == .n("1"))
        #expect(page.records[0].oldImage == nil || page.records[0].oldImage == [:], "moto < 2026 may send {}")
        #expect(page.records[1].oldImage?["v"] == .n("1"))
        #expect(page.records[1].newImage?["v"] == .n("2"))
        #expect(page.records[2].keys == key)
        #expect(page.records.allSatisfy { $0.approximateCreationDateTime != nil })

        let second = page.records[1].sequenceNumber
        let at = try await streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .atSequenceNumber(second))
        #expect(try await streams.getRecords(iterator: at).records.first?.eventName == "MODIFY")
        let after = try await streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .afterSequenceNumber(second))
        #expect(try await streams.getRecords(iterator: after).records.map(\.eventName) == ["REMOVE"])
        let latest = try await streams.getShardIterator(streamARN: arn, shardID: shard.shardID, type: .latest)
        #expect(try await streams.getRecords(iterator: latest).records.isEmpty)
        try await ddb.deleteTable(name: table)
    }

    @Test func sessionTokenCredentialsFromSTSAreSignedAndAccepted() async throws {
        let moto = try await MotoServer.shared()
        let temporary = try await IAMSetup.assumeAllowAllRole(endpoint: moto.endpoint, http: IntegrationHTTP.client, as: moto.credentials)
        #expect(temporary.sessionToken?.isEmpty == false)
        #expect(temporary.expiration != nil)
        let ddb = DynamoDBClient(context: moto.context(credentials: temporary, maxAttempts: 1))
        let table = Self.unique("tmp")
        _ = try await ddb.createTable(name: table, key: [.init("pk", .hash, .s)])
        try await ddb.putItem(table: table, item: ["pk": .s("x")])
        #expect(try await ddb.getItem(table: table, key: ["pk": .s("x")]) != nil)
        try await ddb.deleteTable(name: table)
        var forged = temporary
        forged.secretAccessKey += "x"
        let refused = await #expect(throws: AWSError.self) {
            try await DynamoDBClient(context: moto.context(credentials: forged, maxAttempts: 1)).describeTable(name: table)
        }
        #expect(refused?.status == 403, "the temporary key's signature is really checked")
    }

    @Test func wrongSecretIsRefusedWithAClearError() async throws {
        let moto = try await MotoServer.shared()
        var bad = moto.credentials
        bad.secretAccessKey = "definitely-not-the-secret"
        let sqs = SQSClient(context: moto.context(credentials: bad, maxAttempts: 1))
        let error = await #expect(throws: AWSError.self) { _ = try await sqs.listQueues() }
        #expect(error?.status == 403)
        #expect(error?.code == "SignatureDoesNotMatch" || error?.code == "InvalidSignatureException", "\(String(describing: error))")
        #expect(error?.description.contains("sqs.ListQueues failed") == true)
        let unknown = AWSCredentials(accessKeyID: "AKIDUNKNOWN000000000", secretAccessKey: "x")
        let error2 = await #expect(throws: AWSError.self) {
            _ = try await DynamoDBClient(context: moto.context(credentials: unknown, maxAttempts: 1)).describeTable(name: "x")
        }
        #expect(error2?.status == 403)
    }
}
