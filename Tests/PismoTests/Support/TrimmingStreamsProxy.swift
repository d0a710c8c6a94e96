import Foundation
import PismoJSON
import Transport
@testable import Pismo

/// A DynamoDB Streams endpoint on 127.0.0.1 that plays a stream trimmed past the reader's checkpoint,
/// in front of moto: a GetShardIterator at a checkpoint (AFTER_SEQUENCE_NUMBER) is answered
/// `400 TrimmedDataAccessException`, and one at TRIM_HORIZON gets moto's LATEST iterator instead, so
/// the horizon starts after the newest record — whatever was stored before is gone from the stream.
/// Everything else is forwarded to moto byte for byte (the caller's signature stays valid); the
/// LATEST iterator is fetched by the proxy's own signed client.
final class TrimmingStreamsProxy: Sendable {
    let server: HTTPServer
    /// Checkpoint iterators refused as trimmed, and horizon iterators served at LATEST.
    private let counters: Counters
    final class Counters: Sendable {
        let trimmed = Locked(0)
        let latest = Locked(0)
    }

    private init(server: HTTPServer, counters: Counters) {
        self.server = server
        self.counters = counters
    }

    var trimmed: Int { counters.trimmed.withLock { $0 } }
    var latest: Int { counters.latest.withLock { $0 } }

    var endpoint: String { "http://127.0.0.1:\(server.port)" }

    static func start(moto: MotoServer) async throws -> TrimmingStreamsProxy {
        let streams = DynamoDBStreamsClient(context: moto.context())
        let counters = Counters()
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: .async { request in
            let target = request.headers["X-Amz-Target"] ?? ""
            let body = String(decoding: request.body, as: UTF8.self)
            if target.hasSuffix(".GetShardIterator"), let json = try? JSONDocument(body) {
                let type = json.root["ShardIteratorType"]?.string
                if type == "AFTER_SEQUENCE_NUMBER" {
                    counters.trimmed.withLock { $0 += 1 }
                    return Self.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"the requested records are beyond the stream's retention"}"#)
                }
                if type == "TRIM_HORIZON", let arn = json.root["StreamArn"]?.string, let shard = json.root["ShardId"]?.string {
                    do {
                        let iterator = try await streams.getShardIterator(streamARN: arn, shardID: shard, type: .latest)
                        counters.latest.withLock { $0 += 1 }
                        return Self.json(200, #"{"ShardIterator":"\#(iterator)"}"#)
                    } catch {
                        return Self.json(500, #"{"__type":"InternalFailure","message":"proxy: \#(error)"}"#)
                    }
                }
            }
            return await Self.forward(request, to: moto.endpoint)
        })
        return TrimmingStreamsProxy(server: server, counters: counters)
    }

    private static func forward(_ request: HTTPServerRequest, to endpoint: String) async -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            headers.add(name, value)
        }
        do {
            let response = try await IntegrationHTTP.client.execute(
                HTTPRequest(method: request.method, url: endpoint + request.target, headers: headers, body: request.body), timeout: .seconds(30))
            var out = HTTPHeaders()
            if let type = response.headers["Content-Type"] { out.add("Content-Type", type) }
            return HTTPResponse(status: response.status, headers: out, body: response.body)
        } catch {
            return json(502, #"{"__type":"InternalFailure","message":"proxy could not reach moto"}"#)
        }
    }

    private static func json(_ status: Int, _ text: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-amz-json-1.0")
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }
}
