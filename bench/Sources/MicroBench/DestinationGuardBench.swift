// `pismo-microbench destination-guard [CHECKS] [ONLY]`: what the SSRF guard costs (ONLY: run just the
// measurements whose name contains it, for instruction counts under callgrind). The pool checks once per
// name resolution, i.e. per new connection; a request on a kept-alive connection pays only the
// https-only test in `prepare`. Prints nanoseconds per check for the shapes deliver sees (an allowed
// loopback sink; public IPv4 and IPv6, which are compared with every range), and what `prepare` costs
// with and without a policy.
import Foundation
import Transport

func destinationGuardBenchmark(_ args: [String]) throws {
    let checks = args.first.flatMap(Int.init) ?? 1_000_000
    let only = args.dropFirst().first
    func selected(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }
    let policy = DestinationPolicy(allowed: [try IPNetwork(parsing: "127.0.0.1/32")])
    let shapes: [(String, [IPAddress])] = [
        ("allowed 127.0.0.1", [IPAddress("127.0.0.1")!]),
        ("public IPv4", [IPAddress("93.184.216.34")!]),
        ("public IPv6 + IPv4", [IPAddress("2606:2800:220:1:248:1893:25c8:1946")!, IPAddress("93.184.216.34")!]),
        ("refused 169.254.169.254", [IPAddress("169.254.169.254")!]),
    ]
    let clock = ContinuousClock()
    func padded(_ text: String) -> String { text + String(repeating: " ", count: max(0, 26 - text.count)) }
    func nanoseconds(_ elapsed: Duration, _ n: Int) -> Double {
        (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(n)
    }
    print("destination guard, \(checks) checks per shape")
    for (name, addresses) in shapes where selected(name) {
        var refused = 0
        let start = clock.now
        for _ in 0..<checks where policy.refusal(host: "h", addresses: addresses) != nil { refused += 1 }
        print("  \(padded(name)) \(String(format: "%7.1f", nanoseconds(clock.now - start, checks))) ns per check (\(refused) refused)")
    }
    let request = HTTPRequest(method: "POST", url: "http://127.0.0.1:9/hook", headers: HTTPHeaders([("content-type", "application/json")]),
                              body: Array(repeating: 0x61, count: 512))
    var guarded = HTTPClient.Configuration()
    guarded.destinationPolicy = policy
    for (name, configuration) in [("prepare, no policy", HTTPClient.Configuration()), ("prepare, with policy", guarded)] where selected(name) {
        let client = HTTPClient(configuration: configuration)
        let n = checks / 10
        let start = clock.now
        for _ in 0..<n { _ = try client.prepare(request) }
        print("  \(padded(name)) \(String(format: "%7.1f", nanoseconds(clock.now - start, n))) ns per request")
    }
}
