import Foundation
import Testing
import Transport
@testable import Pismo

@Suite struct MockSinkTests {
    @Test func logsEveryPostWithItsExactBodyAndCountsThem() async throws {
        let logPath = NSTemporaryDirectory() + "/pismo-sink-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        defer { unlink(logPath) }
        let sink = try await MockSink.start(MockSinkOptions(logPath: logPath))
        let client = try HTTPClient()
        let body = Array("{\"event\":\"a\\\"b\",\"n\":1}\n".utf8)
        let url = "http://127.0.0.1:\(sink.port)/hooks/t1"
        let response = try await client.execute(
            HTTPRequest(method: "POST", url: url, headers: HTTPHeaders([("webhook-id", "msg_1")]), body: body), timeout: .seconds(5))
        #expect(response.status == 200)
        let stats = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(sink.port)/stats"), timeout: .seconds(5))
        let json = try JSONSerialization.jsonObject(with: Data(stats.body)) as? [String: Int]
        #expect(json?["posts"] == 1)
        #expect(json?["bytes"] == body.count)
        await client.shutdown()
        await sink.shutdown()
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let entry = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(entry?["webhook_id"] as? String == "msg_1")
        #expect(entry?["path"] as? String == "/hooks/t1")
        #expect((entry?["body"] as? String).map { Array($0.utf8) } == body)
    }

    @Test func injectsFailures() async throws {
        let sink = try await MockSink.start(MockSinkOptions(failRate: 1, failStatus: 503))
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(sink.port)/", body: [1]), timeout: .seconds(5))
        #expect(response.status == 503)
        #expect(sink.stats.failuresInjected == 1)
        await client.shutdown()
        await sink.shutdown()
    }
}
