import FakeAWSCore
import Glibc
import Transport

// fakeaws: an in-memory SQS + DynamoDB + DynamoDB Streams endpoint for benchmarks (bench/fakeaws/README.md).
// One event-loop thread by default, so "one core" is what the figures mean.

let usage = """
usage: fakeaws [--host 127.0.0.1] [--port 4566] [--threads 1] [--shards 4] [--region us-east-1]
               [--verify-sigv4] [--access-key test] [--secret-key test]
               [--throttle-rate 0] [--error-rate 0] [--fault-ops Op,Op|data] [--seed 1]
"""

func fail(_ message: String) -> Never {
    let text = Array((message + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

struct Options {
    var configuration = FakeConfiguration()
    var host = "127.0.0.1", port = 4566, threads = 1

    init(_ args: [String]) {
        var rest = args[...]
        func value(_ flag: String) -> String {
            guard let v = rest.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
            return v
        }
        func number<T: LosslessStringConvertible>(_ flag: String, _: T.Type) -> T {
            guard let v = T(value(flag)) else { fail("\(flag): not a number") }
            return v
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--host": host = value(flag)
            case "--port": port = number(flag, Int.self)
            case "--threads": threads = max(1, number(flag, Int.self))
            case "--shards": configuration.shards = max(1, number(flag, Int.self))
            case "--region": configuration.region = value(flag)
            case "--verify-sigv4": configuration.verifySignatures = true
            case "--access-key": configuration.accessKey = value(flag)
            case "--secret-key": configuration.secretKey = value(flag)
            case "--throttle-rate": configuration.throttleRate = number(flag, Double.self)
            case "--error-rate": configuration.errorRate = number(flag, Double.self)
            case "--fault-ops":
                let v = value(flag)
                configuration.faultOperations = v == "data" ? FakeConfiguration.dataPlane : Set(v.split(separator: ",").map(String.init))
            case "--seed": configuration.seed = number(flag, UInt64.self)
            case "-h", "--help": print(usage); exit(0)
            default: fail("unknown flag \(flag)\n\(usage)")
            }
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard host.hasPrefix("127.") || host == "::1" else { fail("fakeaws listens on loopback only (got \(host))") }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
signal(SIGPIPE, SIG_IGN)
let group = try EventLoopGroup(threads: options.threads)
// Bodies up to 16 MB (BatchWriteItem's limit); idle keep-alive connections kept an hour.
let server = HTTPServerConfiguration(host: options.host, port: options.port, maxBodyBytes: 16 * 1024 * 1024, idleTimeout: .seconds(3600))
let (_, http) = try await FakeAWS.serve(options.configuration, server: server, group: group)
let c = options.configuration
print("fakeaws listening on http://\(options.host):\(http.port) (threads=\(options.threads) shards=\(c.shards) verify_sigv4=\(c.verifySignatures) throttle=\(c.throttleRate) error=\(c.errorRate))")
fflush(nil)
while true { try await Task.sleep(for: .seconds(3600)) }
