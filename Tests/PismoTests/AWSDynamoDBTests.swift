import PismoJSON
import Testing
import Transport
@testable import Pismo

@Suite("DynamoDB client over the scripted transport")
struct AWSDynamoDBTests {
    static func body(_ r: HTTPRequest) throws -> JSONNode { try JSONDocument(bytes: r.body).root }

    static let everyType: DynamoDBItem = [
        "s": .s("héllo \"q\""), "n": .n("123456789012345678901234567890.123456789"), "b": .b([0, 1, 254, 255]),
        "t": .bool(true), "z": .null, "m": .m(["inner": .l([.n("-1e-130"), .s("x"), .m([:])])]),
        "ss": .ss(["a", "b"]), "ns": .ns(["1", "2.5"]), "bs": .bs([[1], [2, 3]]), "l": .l([]),
    ]

    @Test func attributeValuesRoundTripExactly() throws {
        var w = JSONWriter()
        DynamoDBValue.writeItem(Self.everyType, into: &w)
        let decoded = DynamoDBValue.readItem(try JSONDocument(bytes: w.bytes).root)
        #expect(decoded == Self.everyType)
        // Numbers travel as strings, never as JSON numbers.
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text.contains(#""N":"123456789012345678901234567890.123456789""#))
        #expect(text.contains(#""NULL":true"#))
        #expect(text.contains(#""B":"AAH+/w==""#))
        #expect(DynamoDBValue(json: try JSONDocument(bytes: Array(#"{"X":1}"#.utf8)).root) == nil)
    }

    @Test func conditionalPutFramesExpressionsAndReportsConditionFailure() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, "{}"),
            FakeHTTP.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#),
        ])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        let cond = DynamoDBExpressions(condition: "attribute_not_exists(#pk)", names: ["#pk": "pk"])
        try await ddb.putItem(table: "events", item: ["pk": .s("c1"), "sk": .s("k")], expressions: cond)
        let req = try Self.body(http.requests[0])
        #expect(http.requests[0].headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem")
        #expect(req["TableName"]?.string == "events")
        #expect(req["ConditionExpression"]?.string == "attribute_not_exists(#pk)")
        #expect(req["ExpressionAttributeNames"]?["#pk"]?.string == "pk")
        #expect(req["Item"]?["pk"]?["S"]?.string == "c1")
        #expect(req["ReturnValues"] == nil)
        let error = await #expect(throws: AWSError.self) {
            try await ddb.putItem(table: "events", item: ["pk": .s("c1")], expressions: cond)
        }
        #expect(error?.isConditionalCheckFailed == true)
        #expect(http.requests.count == 2, "condition failures are final, not retried")
    }

    @Test func updateGetDeleteReturnAttributes() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"Attributes":{"n":{"N":"2"}}}"#),
            FakeHTTP.json(200, #"{"Item":{"pk":{"S":"a"},"n":{"N":"2"}}}"#),
            FakeHTTP.json(200, "{}"),
            FakeHTTP.json(200, #"{"Attributes":{"pk":{"S":"a"}}}"#),
        ])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        let updated = try await ddb.updateItem(table: "t", key: ["pk": .s("a")],
                                               expressions: DynamoDBExpressions(update: "ADD #n :one", names: ["#n": "n"], values: [":one": .n("1")]),
                                               returnValues: .updatedNew)
        #expect(updated?["n"] == .n("2"))
        #expect(try Self.body(http.requests[0])["ExpressionAttributeValues"]?[":one"]?["N"]?.string == "1")
        #expect(try Self.body(http.requests[0])["ReturnValues"]?.string == "UPDATED_NEW")
        #expect(try await ddb.getItem(table: "t", key: ["pk": .s("a")], consistentRead: true)?["n"]?.int64 == 2)
        #expect(try await ddb.getItem(table: "t", key: ["pk": .s("missing")]) == nil)
        #expect(try await ddb.deleteItem(table: "t", key: ["pk": .s("a")], returnValues: .allOld)?["pk"] == .s("a"))
    }

    @Test func queryFollowsLastEvaluatedKey() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"Items":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"Count":1,"ScannedCount":1,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"1"}}}"#),
            FakeHTTP.json(200, #"{"Items":[{"pk":{"S":"a"},"sk":{"N":"2"}}],"Count":1,"ScannedCount":1}"#),
        ])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        let q = DynamoDBQuery(table: "t", expressions: DynamoDBExpressions(keyCondition: "pk = :p", values: [":p": .s("a")]), limit: 1)
        let items = try await ddb.queryAll(q)
        #expect(items.map { $0["sk"] } == [.n("1"), .n("2")])
        #expect(try Self.body(http.requests[1])["ExclusiveStartKey"]?["sk"]?["N"]?.string == "1")
        #expect(try Self.body(http.requests[0])["KeyConditionExpression"]?.string == "pk = :p")
    }

    @Test func batchWriteResendsUnprocessedItemsWithBackoff() async throws {
        let sleeper = SleepRecorder()
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"2"}}}}]}}"#),
            FakeHTTP.json(200, #"{"UnprocessedItems":{}}"#),
        ])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http, sleeper: sleeper))
        let left = try await ddb.batchWriteItem(["t": [.put(["pk": .s("1")]), .put(["pk": .s("2")]), .delete(key: ["pk": .s("3")])]])
        #expect(left.isEmpty)
        #expect(http.requests.count == 2)
        #expect(sleeper.delays.count == 1)
        let second = try (Self.body(http.requests[1])["RequestItems"]?["t"]).items
        #expect(second.count == 1)
        #expect(second.first?["PutRequest"]?["Item"]?["pk"]?["S"]?.string == "2")
        let first = try (Self.body(http.requests[0])["RequestItems"]?["t"]).items
        #expect(first.last?["DeleteRequest"]?["Key"]?["pk"]?["S"]?.string == "3")
    }

    @Test func batchGetCollectsAcrossUnprocessedKeys() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"Responses":{"t":[{"pk":{"S":"1"}}]},"UnprocessedKeys":{"t":{"Keys":[{"pk":{"S":"2"}}]}}}"#),
            FakeHTTP.json(200, #"{"Responses":{"t":[{"pk":{"S":"2"}}]},"UnprocessedKeys":{}}"#),
        ])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        let found = try await ddb.batchGetItem(["t": [["pk": .s("1")], ["pk": .s("2")]]])
        #expect(Set(found["t"]?.compactMap { $0["pk"]?.string } ?? []) == ["1", "2"])
    }

    @Test func transactWriteFramesEveryKind() async throws {
        let http = FakeHTTP([FakeHTTP.json(200, "{}")])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        try await ddb.transactWriteItems([
            .put(table: "t", item: ["pk": .s("1")], expressions: DynamoDBExpressions(condition: "attribute_not_exists(pk)")),
            .update(table: "t", key: ["pk": .s("2")], expressions: DynamoDBExpressions(update: "SET v = :v", values: [":v": .n("1")])),
            .delete(table: "t", key: ["pk": .s("3")]),
            .conditionCheck(table: "t", key: ["pk": .s("4")], expressions: DynamoDBExpressions(condition: "attribute_exists(pk)")),
        ], clientRequestToken: "tok-1")
        let items = try (Self.body(http.requests[0])["TransactItems"]).items
        #expect(items.map { Array($0.members).first?.key ?? "" } == ["Put", "Update", "Delete", "ConditionCheck"])
        #expect(items[1]["Update"]?["UpdateExpression"]?.string == "SET v = :v")
        #expect(try Self.body(http.requests[0])["ClientRequestToken"]?.string == "tok-1")
    }

    @Test func tableCallsCarryStreamSpecification() async throws {
        let desc = #"{"TableDescription":{"TableName":"t","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},"LatestStreamArn":"arn:s"}}"#
        let http = FakeHTTP([FakeHTTP.json(200, desc), FakeHTTP.json(200, #"{"Table":{"TableName":"t","TableStatus":"ACTIVE","ItemCount":5}}"#),
                                 FakeHTTP.json(200, desc), FakeHTTP.json(200, "{}")])
        let ddb = DynamoDBClient(context: AWSTestContext.make(http))
        let created = try await ddb.createTable(name: "t", key: [.init("pk", .hash, .s), .init("sk", .range, .s)], stream: .newImage)
        #expect(created.latestStreamARN == "arn:s")
        #expect(created.streamViewType == "NEW_IMAGE")
        let req = try Self.body(http.requests[0])
        #expect(req["StreamSpecification"]?["StreamViewType"]?.string == "NEW_IMAGE")
        #expect(req["KeySchema"].items.map { $0["KeyType"]?.string ?? "" } == ["HASH", "RANGE"])
        #expect(try await ddb.describeTable(name: "t").itemCount == 5)
        _ = try await ddb.updateTable(name: "t", stream: nil)
        #expect(try Self.body(http.requests[2])["StreamSpecification"]?["StreamEnabled"]?.bool == false)
        try await ddb.deleteTable(name: "t")
        #expect(http.requests[3].headers["X-Amz-Target"] == "DynamoDB_20120810.DeleteTable")
    }
}

@Suite("DynamoDB Streams client over the scripted transport")
struct AWSStreamsTests {
    @Test func getRecordsDecodesInsertModifyRemove() async throws {
        let records = """
        {"Records":[
          {"eventID":"e1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1700000000.5,"Keys":{"pk":{"S":"a"}},
            "NewImage":{"pk":{"S":"a"},"v":{"N":"1"}},"SequenceNumber":"100","SizeBytes":20,"StreamViewType":"NEW_AND_OLD_IMAGES"}},
          {"eventID":"e2","eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"v":{"N":"2"}},
            "OldImage":{"pk":{"S":"a"},"v":{"N":"1"}},"SequenceNumber":"200"}},
          {"eventID":"e3","eventName":"REMOVE","dynamodb":{"Keys":{"pk":{"S":"a"}},"OldImage":{"pk":{"S":"a"}},"SequenceNumber":"300"}}],
         "NextShardIterator":"it-2"}
        """
        let http = FakeHTTP([FakeHTTP.json(200, records), FakeHTTP.json(200, #"{"Records":[]}"#)])
        let streams = DynamoDBStreamsClient(context: AWSTestContext.make(http))
        let page = try await streams.getRecords(iterator: "it-1", limit: 1000)
        #expect(page.next == "it-2")
        #expect(page.records.map(\.eventName) == ["INSERT", "MODIFY", "REMOVE"])
        #expect(page.records[0].oldImage == nil, "absent on INSERT")
        #expect(page.records[0].newImage?["v"] == .n("1"))
        #expect(page.records[0].approximateCreationDateTime == 1_700_000_000.5)
        #expect(page.records[1].oldImage?["v"] == .n("1"))
        #expect(page.records[2].newImage == nil, "absent on REMOVE")
        #expect(page.records.map(\.sequenceNumber) == ["100", "200", "300"])
        let closed = try await streams.getRecords(iterator: "it-2")
        #expect(closed.next == nil, "no NextShardIterator: shard closed and read")
    }

    @Test func expiredAndTrimmedAreDistinctErrors() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired"}"#),
            FakeHTTP.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"trimmed"}"#),
        ])
        let streams = DynamoDBStreamsClient(context: AWSTestContext.make(http))
        await #expect {
            _ = try await streams.getRecords(iterator: "old")
        } throws: { error in
            if case .expiredIterator(let e) = error as? DynamoDBStreamsError { return e.code == "ExpiredIteratorException" }
            return false
        }
        await #expect {
            _ = try await streams.getRecords(iterator: "older")
        } throws: { error in
            if case .trimmedData = error as? DynamoDBStreamsError { return true }
            return false
        }
        #expect(http.requests.count == 2, "neither is retried blindly")
    }

    @Test func describeStreamPaginatesShardsAndIteratorsCarrySequenceNumbers() async throws {
        let http = FakeHTTP([
            FakeHTTP.json(200, #"{"StreamDescription":{"StreamArn":"arn","StreamStatus":"ENABLED","Shards":[{"ShardId":"s1","SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}],"LastEvaluatedShardId":"s1"}}"#),
            FakeHTTP.json(200, #"{"StreamDescription":{"StreamArn":"arn","StreamStatus":"ENABLED","Shards":[{"ShardId":"s2","ParentShardId":"s1","SequenceNumberRange":{"StartingSequenceNumber":"10"}}]}}"#),
            FakeHTTP.json(200, #"{"ShardIterator":"i1"}"#),
            FakeHTTP.json(200, #"{"ShardIterator":"i2"}"#),
            FakeHTTP.json(200, #"{"Streams":[{"StreamArn":"arn","TableName":"t","StreamLabel":"l"}]}"#),
            FakeHTTP.json(200, #"{"StreamDescription":{"StreamArn":"arn","Shards":[{"ShardId":"s3","ParentShardId":"s1"}]}}"#),
        ])
        let streams = DynamoDBStreamsClient(context: AWSTestContext.make(http))
        let shards = try await streams.describeAllShards(streamARN: "arn")
        #expect(shards.map(\.shardID) == ["s1", "s2"])
        #expect(shards[0].isOpen == false)
        #expect(shards[1].isOpen && shards[1].parentShardID == "s1")
        #expect(try JSONDocument(bytes: http.requests[1].body).root["ExclusiveStartShardId"]?.string == "s1")
        #expect(try await streams.getShardIterator(streamARN: "arn", shardID: "s2", type: .afterSequenceNumber("42")) == "i1")
        let itReq = try JSONDocument(bytes: http.requests[2].body).root
        #expect(itReq["ShardIteratorType"]?.string == "AFTER_SEQUENCE_NUMBER")
        #expect(itReq["SequenceNumber"]?.string == "42")
        _ = try await streams.getShardIterator(streamARN: "arn", shardID: "s2", type: .latest)
        #expect(try JSONDocument(bytes: http.requests[3].body).root["SequenceNumber"] == nil)
        #expect(try await streams.listStreams(tableName: "t").streams.first?.tableName == "t")
        #expect(http.requests[4].headers["Authorization"]?.contains("/dynamodb/aws4_request") == true)
        let children = try await streams.describeStream(streamARN: "arn", childrenOf: "s1")
        #expect(children.shards.map(\.parentShardID) == ["s1"])
        let filter = try JSONDocument(bytes: http.requests[5].body).root["ShardFilter"]
        #expect(filter?["Type"]?.string == "CHILD_SHARDS")
        #expect(filter?["ShardId"]?.string == "s1")
    }
}
