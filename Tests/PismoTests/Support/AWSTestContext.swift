import Transport
@testable import Pismo

/// Records backoff sleeps instead of sleeping. `yielding` suspends for a moment on each (without
/// waiting): for loops such as the shard worker's that must let their other tasks run meanwhile.
final class SleepRecorder: Sendable {
    private let slept = Locked<[Duration]>([])
    private let yielding: Bool
    init(yielding: Bool = false) { self.yielding = yielding }
    var delays: [Duration] { slept.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] d in
            slept.withLock { $0.append(d) }
            if yielding { await Task.yield() }
        }
    }
}

enum AWSTestContext {
    static let credentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret")

    /// A client context over `http` with a fixed clock, instant sleeps and deterministic jitter (0.5).
    static func make(_ http: any HTTPExecuting, sleeper: SleepRecorder = SleepRecorder(), maxAttempts: Int = 3,
                     quota: RetryQuota = RetryQuota(), wallClock: Int64 = 1_700_000_000,
                     env: [String: String] = [:]) -> AWSClientContext {
        let clock = AWSClock(wallClock: { wallClock })
        let config = AWSConfig(environment: AWSEnvironment(variables: env, readFile: { _ in nil }),
                               region: "us-east-1",
                               endpointOverrides: [.sqs: "http://127.0.0.1:9", .dynamoDB: "http://127.0.0.1:9",
                                                   .dynamoDBStreams: "http://127.0.0.1:9"])
        return AWSClientContext(config: config, http: http,
                                credentials: CachedCredentialProvider(StaticCredentialProvider(credentials), clock: clock),
                                clock: clock, retry: RetryPolicy(maxAttempts: maxAttempts, random: { 0.5 }),
                                quota: quota, sleep: sleeper.sleep)
    }
}
