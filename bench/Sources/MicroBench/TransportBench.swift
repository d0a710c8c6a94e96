// Transport microbenchmarks: the cost of hopping onto an event loop, and HTTP/1.1 request rate over
// loopback (our client against our server, keep-alive, 64 concurrent requests).
import Foundation
import Synchronization
import Transport

/// Runs an async body to completion from synchronous benchmark code.
func blocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = Mutex<Error?>(nil)
    Task {
        do { try await body() } catch { failure.withLock { $0 = error } }
        done.signal()
    }
    done.wait()
    if let error = failure.withLock({ $0 }) { throw error }
}

/// `pismo-microbench loop-hop [N]`: round trips `await loop.submit {}` from a task on the default
/// executor (two thread hops each) versus from a task whose executor preference is the loop (the
/// continuation resumes on the loop thread: no hop).
func loopHopBenchmark(_ args: [String]) throws {
    let n = args.first.flatMap(Int.init) ?? 200_000
    let group = try EventLoopGroup(threads: 1)
    defer { group.syncShutdown() }
    let loop = group.loops[0]
    try blocking {
        for _ in 0..<1000 { _ = try await loop.submit { 0 } }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<n { _ = try await loop.submit { 0 } }
        let fromDefault = clock.now - start
        let onLoop = try await Task(executorPreference: loop) { () async throws -> Duration in
            let start = clock.now
            for _ in 0..<n { _ = try await loop.submit { 0 } }
            return clock.now - start
        }.value
        func perOp(_ d: Duration) -> String {
            let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
            return String(format: "%.0f ns", ns / Double(n))
        }
        print("loop.submit round trip, \(n) iterations")
        print("  from the default executor: \(perOp(fromDefault))")
        print("  from a task on the loop:   \(perOp(onLoop))")
    }
}

/// `pismo-microbench http-loopback [REQUESTS] [CONCURRENCY] [guard]`: our HTTPClient against our
/// HTTPServer (sync handler, 16-byte body) over 127.0.0.1, keep-alive; `guard` gives the client the
/// webhook SSRF guard (allowing 127.0.0.1/32), as deliver's client has it.
func httpLoopbackBenchmark(_ args: [String]) throws {
    let total = args.first.flatMap(Int.init) ?? 100_000
    let concurrency = args.dropFirst().first.flatMap(Int.init) ?? 64
    let guarded = args.dropFirst(2).first == "guard"
    let group = try EventLoopGroup()
    defer { group.syncShutdown() }
    try blocking {
        let body = Array("0123456789abcdef".utf8)
        let server = try await HTTPServer.start(configuration: HTTPServerConfiguration(), group: group,
                                                handler: .sync { _ in HTTPResponse(status: 200, body: body) })
        var config = HTTPClient.Configuration()
        config.maxConnectionsPerHost = concurrency
        if guarded { config.destinationPolicy = DestinationPolicy(allowed: [try IPNetwork(parsing: "127.0.0.1/32")]) }
        let client = HTTPClient(group: group, configuration: config)
        let url = "http://127.0.0.1:\(server.port)/bench"
        let failures = FailureCount()
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { tasks in
            for worker in 0..<concurrency {
                tasks.addTask {
                    for _ in stride(from: worker, to: total, by: concurrency) {
                        let r = try? await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(30))
                        if r?.status != 200 { failures.value.add(1, ordering: .relaxed) }
                    }
                }
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "http-loopback%@: %d requests, %d concurrent, %d connections: %.0f req/s (%d failures)",
                     guarded ? " (guarded)" : "", total, concurrency, server.acceptedConnections, Double(total) / seconds, failures.value.load(ordering: .relaxed)))
        client.shutdown()
        await server.shutdown(gracePeriod: .seconds(1))
    }
}

private final class FailureCount: Sendable {
    let value = Atomic<Int>(0)
}
