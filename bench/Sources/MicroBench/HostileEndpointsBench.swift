// hostile-endpoints: what a tenant's hostile endpoints cost the other tenants (issue 15, M3/M4).
// One webhook client on ONE event loop (so every connection shares the thread that would suffer)
// sends requests to a healthy loopback server and measures their latency, first alone, then while
// other requests of the same client go to hostile loopback endpoints: one that drips a 64 KiB
// response head a few bytes at a time, and one that answers with a gzip bomb (32 MiB of zeros in
// 32 KiB). Each hostile worker asks again 20 ms after an answer ends: a tenant's pace, so what
// the healthy requests feel is the hostility, not a load test. Prints p50/p99/max of the healthy
// requests in both phases. A third argument `whole` makes the hostile requests read their answers
// whole, as webhook attempts did before issue 15 (bodies read and gunzipped on the loop thread).
import Foundation
import Glibc
import Synchronization
import Transport

func hostileEndpointsBenchmark(_ args: [String]) throws {
    let healthyRequests = args.first.flatMap(Int.init) ?? 2_000
    let hostileConcurrency = args.dropFirst().first.flatMap(Int.init) ?? 8
    let hostileReading: ResponseReading = args.dropFirst(2).first == "whole" ? .whole : .webhookExcerpt
    let group = try EventLoopGroup(threads: 1)
    defer { group.syncShutdown() }
    let drip = HostileServer(answer: HostileServer.dripHead(bytes: 64 * 1024), chunk: 16, pause: 0.001)
    let bomb = HostileServer(answer: HostileServer.gzipBomb(), chunk: 64 * 1024, pause: 0)
    try blocking {
        let healthy = try await HTTPServer.start(configuration: HTTPServerConfiguration(), group: try EventLoopGroup(threads: 1),
                                                 handler: .sync { _ in HTTPResponse(status: 200, body: Array("ok".utf8)) })
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 64
        let client = HTTPClient(group: group, configuration: configuration)
        let healthyURL = "http://127.0.0.1:\(healthy.port)/hook"

        let alone = try await latencies(client, healthyURL, count: healthyRequests)
        let stop = SharedFlag()
        let hostileDone = SharedCount()
        let hostile = Task {
            await withTaskGroup(of: Void.self) { tasks in
                for worker in 0..<hostileConcurrency {
                    let url = "http://127.0.0.1:\(worker.isMultiple(of: 2) ? drip.port : bomb.port)/hook"
                    tasks.addTask {
                        while !stop.isSet {
                            _ = try? await client.execute(HTTPRequest(method: "POST", url: url, body: Array("{}".utf8),
                                                                      responseReading: hostileReading), timeout: .seconds(30))
                            hostileDone.add()
                            try? await Task.sleep(for: .milliseconds(20))  // a tenant's pace, not a load test
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(200))  // the hostile answers are under way
        let beside = try await latencies(client, healthyURL, count: healthyRequests)
        stop.set()
        print("hostile-endpoints: \(healthyRequests) requests to a healthy endpoint, one at a time, client on one loop")
        print("  alone:                              \(alone.summary)")
        print("  beside \(hostileConcurrency) hostile (drip 64 KiB head / gzip bomb), read \(hostileReading == .whole ? "whole" : "as excerpts"): \(beside.summary)")
        print("  hostile answers completed meanwhile: \(hostileDone.value) (drip: \(drip.served), bomb: \(bomb.served) connections served)")
        drip.stop()
        bomb.stop()
        await hostile.value
        client.shutdown()
        await healthy.shutdown(gracePeriod: .seconds(1))
    }
}

private struct Latencies {
    var sorted: [Duration]
    var summary: String {
        func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
        return "p50 \(ms(sorted[sorted.count / 2]))  p99 \(ms(sorted[sorted.count * 99 / 100]))  max \(ms(sorted[sorted.count - 1]))"
    }
}

private func latencies(_ client: HTTPClient, _ url: String, count: Int) async throws -> Latencies {
    var all: [Duration] = []
    all.reserveCapacity(count)
    let clock = ContinuousClock()
    for _ in 0..<count {
        let start = clock.now
        let response = try await client.execute(HTTPRequest(method: "POST", url: url, body: Array("{}".utf8),
                                                            responseReading: .webhookExcerpt), timeout: .seconds(10))
        precondition(response.status == 200)
        all.append(clock.now - start)
    }
    return Latencies(sorted: all.sorted())
}

private final class SharedFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

private final class SharedCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}

/// A loopback endpoint on its own threads: reads a request, writes `answer` in `chunk`-byte
/// pieces with `pause` seconds between them, then closes. One thread per connection.
private final class HostileServer: Sendable {
    let port: Int
    private let listener: Int32
    private let servedCount = SharedCount()
    private let stopped = SharedFlag()
    private let answer: [UInt8]
    private let chunk: Int
    private let pause: Double
    var served: Int { servedCount.value }

    init(answer: [UInt8], chunk: Int, pause: Double) {
        self.answer = answer
        self.chunk = chunk
        self.pause = pause
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 128)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    private func acceptLoop() {
        while !stopped.isSet {
            let peer = accept(listener, nil, nil)
            guard peer >= 0 else { return }
            servedCount.add()
            Thread { [self] in serve(peer) }.start()
        }
    }

    private func serve(_ peer: Int32) {
        var request = [UInt8](repeating: 0, count: 4096)
        _ = recv(peer, &request, request.count, 0)
        var offset = 0
        while offset < answer.count, !stopped.isSet {
            let end = min(answer.count, offset + chunk)
            let sent = answer[offset..<end].withUnsafeBytes { send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        close(peer)
    }

    func stop() {
        stopped.set()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A 200 whose head is `bytes` long: a status line and many short header lines.
    static func dripHead(bytes: Int) -> [UInt8] {
        var head = Array("HTTP/1.1 200 OK\r\n".utf8)
        var index = 0
        while head.count < bytes - 64 {
            head += Array("x-pad-\(index): \(String(repeating: "p", count: 40))\r\n".utf8)
            index += 1
        }
        return head + Array("Content-Length: 0\r\n\r\n".utf8)
    }

    static func gzipBomb() -> [UInt8] {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 32 * 1024 * 1024))
        return Array("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n".utf8) + bomb
    }
}
