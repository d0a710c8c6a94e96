// pismo-microbench NAME [ARGS...]: in-process microbenchmarks. Each benchmark lives in its own file
// as a function `(args) -> Void` and is registered here.
import Foundation

let benchmarks: [String: ([String]) throws -> Void] = [
    "tls-handshake": tlsHandshakeBenchmark,
    "tls-transfer": tlsTransferBenchmark,
    "validation": runValidationBenchmark,
    "aws": runAWSBenchmarks,
    "json": runJSONBench,
    "loop-hop": loopHopBenchmark,
    "http-loopback": httpLoopbackBenchmark,
    "metrics": runMetricsBenchmark,
    "delivery": runDeliveryBenchmark,
    "destination-guard": destinationGuardBenchmark,
    "dns-isolation": dnsIsolationBenchmark,
    "hostile-endpoints": hostileEndpointsBenchmark,
]

let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let run = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write("usage: pismo-microbench NAME [ARGS...]\n  benchmarks: \(names)\n".data(using: .utf8)!)
    exit(2)
}
try run(Array(args.dropFirst()))
