import PismoJSON
import Transport

/// The whole fake: one endpoint for SQS (JSON and query protocols), DynamoDB and DynamoDB Streams,
/// plus `/_fake/stats`, `/_fake/reset` and `/_fake/faults`. All state sits behind one lock; with one
/// event-loop thread (the default) it is never contended. Handlers never block the loop: a long
/// poll suspends on a continuation that a send or a timer resumes.
public final class FakeAWS: Sendable {
    struct State {
        var sqs: FakeSQS
        var dynamo: FakeDynamo
        var stats = OperationStats()
        var configuration: FakeConfiguration
        var dice: FaultDice
        var waiters = LongPollWaiters()
        var requestCounter: UInt64 = 0
    }

    let state: Locked<State>
    let loop: EventLoop
    let startedAtMillis = ISOTime.monotonicMillis()

    public init(configuration: FakeConfiguration, loop: EventLoop) {
        state = Locked(State(sqs: FakeSQS(region: configuration.region, account: configuration.account),
                             dynamo: FakeDynamo(region: configuration.region, account: configuration.account, shardCount: configuration.shards),
                             configuration: configuration, dice: FaultDice(state: configuration.seed)))
        self.loop = loop
    }

    /// Serves on `configuration`'s address with `group` (one loop: one core).
    public static func serve(_ configuration: FakeConfiguration, server: HTTPServerConfiguration, group: EventLoopGroup) async throws -> (FakeAWS, HTTPServer) {
        let fake = FakeAWS(configuration: configuration, loop: group.loops[0])
        let http = try await HTTPServer.start(configuration: server, group: group, handler: .async { request in await fake.handle(request) })
        return (fake, http)
    }

    public func handle(_ request: HTTPServerRequest) async -> HTTPResponse {
        if request.path.hasPrefix("/_fake/") { return control(request) }
        let requestID = state.withLock { s -> String in s.requestCounter += 1; return Self.requestID(s.requestCounter) }
        let route = Router.route(request)
        let response: HTTPResponse
        var throttled = false, injected = false
        switch route {
        case .unknown(let message):
            response = HTTPResponse(status: 400, headers: HTTPHeaders([("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", requestID)]),
                                    body: Array(#"{"__type":"UnknownOperationException","message":"\#(message)"}"#.utf8))
        case .json(let service, let operation), .query(let service, let operation, _):
            let isQuery: Bool = if case .query = route { true } else { false }
            if let failure = authenticate(request, service: service) {
                response = isQuery ? SQSQueryWire.error(failure, requestID: requestID) : ServiceWire.error(service, failure, requestID: requestID)
            } else if let fault = state.withLock({ s in Self.drawFault(&s, service: service, operation: operation) }) {
                throttled = fault.status < 500
                injected = !throttled
                response = isQuery ? SQSQueryWire.error(fault, requestID: requestID) : ServiceWire.error(service, fault, requestID: requestID)
            } else if case .query(_, _, let parameters) = route {
                response = await sqsQuery(operation, parameters, request: request, requestID: requestID)
            } else {
                response = await json(service, operation, request: request, requestID: requestID)
            }
        }
        let key: String = switch route {
        case .json(let s, let op), .query(let s, let op, _): s.statsPrefix + op
        case .unknown: "unknown"
        }
        let bytesIn = WireSize.request(request), bytesOut = WireSize.response(response)
        state.withLock { $0.stats.record(key, bytesIn: bytesIn, bytesOut: bytesOut, status: response.status, throttled: throttled, injected: injected) }
        return response
    }

    private func json(_ service: Service, _ operation: String, request: HTTPServerRequest, requestID: String) async -> HTTPResponse {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            return ServiceWire.error(service, FakeError(code: "SerializationException", message: "Start of structure or map found where not expected"), requestID: requestID)
        }
        do {
            let body: [UInt8]
            switch service {
            case .sqs: body = try await sqsJSON(operation, document.root, request: request)
            case .dynamodb: body = try state.withLock { s throws(FakeError) in try Self.dynamo(&s, operation, document.root) }
            case .streams: body = try state.withLock { s throws(FakeError) in try Self.streams(&s, operation, document.root) }
            }
            return ServiceWire.success(service, body, requestID: requestID)
        } catch {
            return ServiceWire.error(service, error, requestID: requestID)
        }
    }

    private static func dynamo(_ s: inout State, _ operation: String, _ root: JSONNode) throws(FakeError) -> [UInt8] {
        let now = ISOTime.nowMillis()
        let d = s.dynamo
        switch operation {
        case "PutItem": return try d.putItem(root, nowMillis: now)
        case "GetItem": return try d.getItem(root)
        case "UpdateItem": return try d.updateItem(root, nowMillis: now)
        case "DeleteItem": return try d.deleteItem(root, nowMillis: now)
        case "Query": return try d.query(root)
        case "Scan": return try d.scan(root)
        case "BatchWriteItem":
            let rate = s.configuration.faultOperations.contains(operation) ? s.configuration.throttleRate : 0
            var dice = s.dice
            defer { s.dice = dice }
            return try d.batchWriteItem(root, nowMillis: now) { dice.roll(rate) }
        case "BatchGetItem": return try d.batchGetItem(root)
        case "CreateTable": return try d.createTable(root, nowMillis: now)
        case "DescribeTable": return try d.describeTable(root)
        case "UpdateTable": return try d.updateTable(root, nowMillis: now)
        case "DeleteTable": return try d.deleteTable(root)
        case "ListTables": return d.listTables(root)
        case "UpdateTimeToLive": return try d.updateTimeToLive(root)
        case "DescribeTimeToLive": return try d.describeTimeToLive(root)
        default: throw FakeError(code: "UnknownOperationException", message: "fakeaws does not implement DynamoDB \(operation)")
        }
    }

    private static func streams(_ s: inout State, _ operation: String, _ root: JSONNode) throws(FakeError) -> [UInt8] {
        let now = ISOTime.nowMillis()
        switch operation {
        case "ListStreams": return s.dynamo.listStreams(root)
        case "DescribeStream": return try s.dynamo.describeStream(root)
        case "GetShardIterator": return try s.dynamo.getShardIterator(root, nowMillis: now)
        case "GetRecords": return try s.dynamo.getRecords(root, nowMillis: now)
        default: throw FakeError(code: "UnknownOperationException", message: "fakeaws does not implement DynamoDB Streams \(operation)")
        }
    }

    /// Throttle first, then 5xx, each at its configured rate, only for the configured operations.
    private static func drawFault(_ s: inout State, service: Service, operation: String) -> FakeError? {
        let c = s.configuration
        guard c.faultOperations.contains(operation) else { return nil }
        // BatchWriteItem is throttled per write (UnprocessedItems), not as a whole.
        if operation != "BatchWriteItem", s.dice.roll(c.throttleRate) { return service.throttle }
        if s.dice.roll(c.errorRate) { return service.internalError }
        return nil
    }

    private func authenticate(_ request: HTTPServerRequest, service: Service) -> FakeError? {
        let c = state.withLock { $0.configuration }
        guard c.verifySignatures else { return nil }
        return SigV4Verifier(accessKey: c.accessKey, secretKey: c.secretKey, region: c.region).verify(request, service: service)
    }

    static func requestID(_ n: UInt64) -> String {
        let hex = String(n, radix: 16)
        return "fa4e0000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }
}
