import Testing
import Transport
@testable import Pismo

@Suite("AWS JSON protocol: framing, errors, retries, CRC32, clock skew")
struct AWSProtocolTests {
    let op = AWSOperation("GetItem", .idempotent)

    @Test func framesAJSON10RequestAndSignsIt() async throws {
        let http = FakeHTTP([FakeHTTP.json(200, "{}")])
        let sqs = AWSJSONClient(service: .sqs, context: AWSTestContext.make(http))
        _ = try await sqs.send(AWSOperation("ListQueues", .idempotent), body: Array("{}".utf8))
        let r = try #require(http.requests.first)
        #expect(r.method == "POST")
        #expect(r.url == "http://127.0.0.1:9/")
        #expect(r.headers["X-Amz-Target"] == "AmazonSQS.ListQueues")
        #expect(r.headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(r.headers["x-amzn-query-mode"] == "true")
        #expect(r.headers["Authorization"]?.contains("Credential=AKIDTEST/20231114/us-east-1/sqs/aws4_request") == true)
        #expect(r.body == Array("{}".utf8))
    }

    @Test func streamsSignAsDynamoDBAndUseTheirOwnTarget() async throws {
        let http = FakeHTTP([FakeHTTP.json(200, "{}")])
        let streams = AWSJSONClient(service: .dynamoDBStreams, context: AWSTestContext.make(http))
        _ = try await streams.send(AWSOperation("ListStreams", .idempotent), body: Array("{}".utf8))
        let r = try #require(http.requests.first)
        #expect(r.headers["X-Amz-Target"] == "DynamoDBStreams_20120810.ListStreams")
        #expect(r.headers["Authorization"]?.contains("/us-east-1/dynamodb/aws4_request") == true)
        #expect(r.headers["x-amzn-query-mode"] == nil)
    }

    @Test func errorCodesAreShortenedAndQueryCompatCodesKept() async throws {
        #expect(AWSError.shortCode("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException") == "ConditionalCheckFailedException")
        #expect(AWSError.shortCode("InvalidParameter:http://internal.amazon.com/coral/") == "InvalidParameter")
        #expect(AWSError.shortCode("aws.protocoljson#Foo:bar") == "Foo")
        let http = FakeHTTP([FakeHTTP.json(400, #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","Message":"gone"}"#,
                                                   headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")])])
        let client = AWSJSONClient(service: .sqs, context: AWSTestContext.make(http))
        let error = await #expect(throws: AWSError.self) { try await client.send(op, body: []) }
        #expect(error?.code == "QueueDoesNotExist")
        #expect(error?.message == "gone")
        #expect(error?.status == 400)
        #expect(error?.requestID == "req-1")
        #expect(error?.queryCompatibleCode == "AWS.SimpleQueueService.NonExistentQueue")
        #expect(error?.queryCompatibleFault == "Sender")
        #expect(http.requests.count == 1, "a client error is not retried")
    }

    @Test func xmlAuthFailuresAreParsedToo() async throws {
        let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>bad &amp; wrong</Message></Error></ErrorResponse>"
        let http = FakeHTTP([.status(403, body: Array(xml.utf8))])
        let error = await #expect(throws: AWSError.self) {
            try await AWSJSONClient(service: .sqs, context: AWSTestContext.make(http)).send(op, body: [])
        }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.message == "bad & wrong")
        #expect(error?.status == 403)
    }

    @Test func transientFailuresAreRetriedWithJitteredBackoffAndRefundTheQuota() async throws {
        let sleeper = SleepRecorder()
        let quota = RetryQuota()
        let http = FakeHTTP([FakeHTTP.json(503, "{}"), .refuse, FakeHTTP.json(200, "{}")])
        let client = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(http, sleeper: sleeper, quota: quota))
        _ = try await client.send(op, body: [])
        #expect(http.requests.count == 3)
        #expect(sleeper.delays == [.milliseconds(500), .seconds(1)], "rand 0.5 × min(2^(n-1) s, 20 s)")
        #expect(quota.available == 500 - 5, "two retries cost 10, success refunds the last retry's 5")
    }

    @Test func throttlingGivesUpAfterMaxAttempts() async throws {
        let throttle = FakeHTTP.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#)
        let http = FakeHTTP([throttle, throttle, throttle, throttle])
        let client = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(http, maxAttempts: 3))
        let error = await #expect(throws: AWSError.self) { try await client.send(op, body: []) }
        #expect(error?.code == "ProvisionedThroughputExceededException")
        #expect(error?.isThrottling == true)
        #expect(http.requests.count == 3)
    }

    @Test func backoffIsCappedAtTwentySeconds() {
        let policy = RetryPolicy(maxAttempts: 10, random: { 0.999_999 })
        #expect(policy.backoff(retry: 1) < .seconds(1))
        #expect(policy.backoff(retry: 9) <= .seconds(20))
        #expect(policy.backoff(retry: 9) > .seconds(19))
        #expect(RetryPolicy.standard(environment: AWSEnvironment(variables: ["AWS_MAX_ATTEMPTS": "7"])).maxAttempts == 7)
    }

    @Test func crc32MismatchIsDetectedAndRetried() async throws {
        let good = "{\"Item\":{}}"
        let goodCRC = Digests.crc32(Array(good.utf8))
        let http = FakeHTTP([FakeHTTP.json(200, good, headers: [("x-amz-crc32", String(goodCRC &+ 1))]),
                                 FakeHTTP.json(200, good, headers: [("x-amz-crc32", String(goodCRC))])])
        let client = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(http))
        let response = try await client.send(op, body: [])
        #expect(response.body == Array(good.utf8))
        #expect(http.requests.count == 2)

        let alwaysBad = FakeHTTP(fallback: FakeHTTP.json(200, good, headers: [("x-amz-crc32", "1")]))
        let failing = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(alwaysBad))
        let error = await #expect(throws: AWSError.self) { try await failing.send(op, body: []) }
        #expect(error?.code == AWSError.crc32Mismatch)
    }

    @Test func clockSkewIsLearnedFromDateAndTheRequestResigned() async throws {
        // Our clock says 2023-11-14T22:13:20Z; the server is one hour ahead.
        let serverDate = "Tue, 14 Nov 2023 23:13:20 GMT"
        let sleeper = SleepRecorder()
        let http = FakeHTTP([
            FakeHTTP.json(400, #"{"__type":"InvalidSignatureException","message":"Signature expired"}"#, headers: [("Date", serverDate)]),
            FakeHTTP.json(200, "{}", headers: [("Date", serverDate)]),
        ])
        let context = AWSTestContext.make(http, sleeper: sleeper)
        _ = try await AWSJSONClient(service: .dynamoDB, context: context).send(op, body: [])
        #expect(http.requests.map { $0.headers["X-Amz-Date"] } == ["20231114T221320Z", "20231114T231320Z"])
        #expect(sleeper.delays.isEmpty, "a skew correction retries at once")
        #expect(context.clock.skew == 3600)
    }

    @Test func emptyQuotaStopsRetriesButLongPollsStillBackOff() async throws {
        let sleeper = SleepRecorder()
        let http = FakeHTTP(fallback: FakeHTTP.json(500, "{}"))
        let client = AWSJSONClient(service: .sqs, context: AWSTestContext.make(http, sleeper: sleeper, quota: RetryQuota(initial: 0)))
        await #expect(throws: AWSError.self) { try await client.send(op, body: []) }
        #expect(http.requests.count == 1)
        #expect(sleeper.delays.isEmpty)
        await #expect(throws: AWSError.self) {
            try await client.send(AWSOperation("ReceiveMessage", .idempotent, isLongPoll: true), body: [])
        }
        #expect(sleeper.delays == [.milliseconds(500)], "the poller waits instead of spinning")
    }

    /// Timeouts are told apart by the transport error's type, not its text: our client's real
    /// timeouts read "request to … timed out" and "timed out connecting to …", which a match on the
    /// substring "timeout" never recognised, so a real timeout was a plain connection error.
    @Test(arguments: [HTTPClientError.requestTimeout(host: "127.0.0.1"), .connectTimeout(host: "127.0.0.1", port: 9)])
    func timeoutsCostMoreQuota(_ timeout: HTTPClientError) async throws {
        let quota = RetryQuota()
        let http = FakeHTTP(fallback: .fail(timeout))
        let client = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(http, maxAttempts: 3, quota: quota))
        let error = await #expect(throws: AWSError.self) { try await client.send(op, body: []) }
        #expect(error?.code == AWSError.timeout)
        #expect(error?.status == nil)
        #expect(error?.message == timeout.description, "the transport's own words are kept")
        #expect(http.requests.count == 3)
        #expect(quota.available == 500 - 2 * 10, "each retry after a timeout costs 10")
    }

    /// A refused or reset connection is a connection error (retry cost 5), not a timeout.
    @Test(arguments: [HTTPClientError.connectionRefused(host: "127.0.0.1", port: 9), .connectionReset(host: "127.0.0.1")])
    func aRefusedConnectionIsAConnectionErrorNotATimeout(_ failure: HTTPClientError) async throws {
        let quota = RetryQuota()
        let http = FakeHTTP(fallback: .fail(failure))
        let client = AWSJSONClient(service: .dynamoDB, context: AWSTestContext.make(http, maxAttempts: 3, quota: quota))
        let error = await #expect(throws: AWSError.self) { try await client.send(op, body: []) }
        #expect(error?.code == AWSError.connectionError)
        #expect(error?.status == nil)
        #expect(error?.message == failure.description)
        #expect(http.requests.count == 3)
        #expect(quota.available == 500 - 2 * 5, "each retry after a connection error costs 5")
    }

    @Test func cancellationIsNotRetried() async throws {
        let http = FakeHTTP(fallback: .answer { _ in throw CancellationError() })
        let client = AWSJSONClient(service: .sqs, context: AWSTestContext.make(http))
        await #expect(throws: CancellationError.self) { try await client.send(op, body: []) }
        #expect(http.requests.count == 1)
    }

    @Test func quotaBucketArithmetic() {
        let q = RetryQuota(initial: 12)
        #expect(q.acquire(afterTimeout: true) == 10)
        #expect(q.acquire(afterTimeout: false) == nil)
        q.release(lastRetryCost: nil)
        #expect(q.available == 3)
        q.release(lastRetryCost: 1000)
        #expect(q.available == 500)
    }
}
