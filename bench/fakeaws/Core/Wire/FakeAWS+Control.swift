import PismoJSON
import Transport

/// The fake's own endpoints (never AWS operations, never counted):
///   GET  /_fake/stats   per-operation requests/bytes/errors, queue depths, table and stream sizes
///   POST /_fake/reset   zero the counters (data stays)
///   POST /_fake/faults?throttle=R&error=R[&ops=PutItem,GetRecords]   change fault injection
extension FakeAWS {
    func control(_ request: HTTPServerRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/_fake/stats"):
            return Self.json(state.withLock { s in Self.stats(&s, uptimeMillis: ISOTime.monotonicMillis() - startedAtMillis) })
        case ("POST", "/_fake/reset"):
            state.withLock { $0.stats = OperationStats() }
            return Self.json(Array(#"{"reset":true}"#.utf8))
        case ("POST", "/_fake/faults"):
            var p: [String: String] = [:]
            if let q = request.query { FormEncoding.decode(q, into: &p) }
            let throttle = p["throttle"].flatMap(Double.init), error = p["error"].flatMap(Double.init)
            guard p["throttle"] == nil || (throttle.map { $0 >= 0 && $0 <= 1 } ?? false),
                  p["error"] == nil || (error.map { $0 >= 0 && $0 <= 1 } ?? false) else {
                return HTTPResponse(status: 400, body: Array("throttle and error are rates in [0, 1]\n".utf8))
            }
            let c = state.withLock { s -> FakeConfiguration in
                if let throttle { s.configuration.throttleRate = throttle }
                if let error { s.configuration.errorRate = error }
                if let ops = p["ops"] { s.configuration.faultOperations = ops == "data" ? FakeConfiguration.dataPlane : Set(ops.split(separator: ",").map(String.init)) }
                return s.configuration
            }
            return Self.json(Array(#"{"throttle":\#(c.throttleRate),"error":\#(c.errorRate)}"#.utf8))
        default:
            return HTTPResponse(status: 404, body: Array("GET /_fake/stats, POST /_fake/reset, POST /_fake/faults?throttle=R&error=R&ops=A,B\n".utf8))
        }
    }

    private static func stats(_ s: inout State, uptimeMillis: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("uptime_ms"); w.int(Int(uptimeMillis))
        s.stats.write(into: &w)
        let now = ISOTime.monotonicMillis()
        w.key("queues"); w.beginObject()
        for (name, q) in s.sqs.queues.sorted(by: { $0.key < $1.key }) {
            let c = q.counts(now: now)
            w.key(name); w.beginObject()
            w.key("visible"); w.int(c.visible); w.key("not_visible"); w.int(c.notVisible); w.key("delayed"); w.int(c.delayed)
            w.endObject()
        }
        w.endObject()
        w.key("tables"); w.beginObject()
        for (name, t) in s.dynamo.tables.sorted(by: { $0.key < $1.key }) {
            w.key(name); w.beginObject()
            w.key("items"); w.int(t.itemCount)
            w.key("stream_records"); w.int(t.stream?.shards.reduce(0) { $0 + $1.records.count } ?? 0)
            w.endObject()
        }
        w.endObject()
        w.key("faults"); w.beginObject()
        w.key("throttle"); w.double(s.configuration.throttleRate); w.key("error"); w.double(s.configuration.errorRate)
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private static func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
    }
}
