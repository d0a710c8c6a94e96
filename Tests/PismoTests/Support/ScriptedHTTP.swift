import Transport
@testable import Pismo

/// In-memory `HTTPExecuting`: answers each request with the next scripted step (or a router), and
/// records every request it saw. Steps can return a response or throw (connection error, timeout).
final class ScriptedHTTP: HTTPExecuting, Sendable {
    typealias Step = @Sendable (HTTPRequest) throws -> HTTPResponse

    private struct State {
        var steps: [Step]
        var requests: [HTTPRequest] = []
        var timeouts: [Duration] = []
    }
    private let state: Locked<State>
    private let fallback: Step?

    init(_ steps: [Step] = [], fallback: Step? = nil) {
        state = Locked(State(steps: steps))
        self.fallback = fallback
    }

    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let step: Step? = state.withLock { s in
            s.requests.append(request)
            s.timeouts.append(timeout)
            return s.steps.isEmpty ? nil : s.steps.removeFirst()
        }
        guard let handler = step ?? fallback else { throw ScriptedHTTPError.noMoreSteps(request.url) }
        return try handler(request)
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var timeouts: [Duration] { state.withLock { $0.timeouts } }

    static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Step {
        { _ in HTTPResponse(status: status, headers: HTTPHeaders([("x-amzn-RequestId", "req-1")] + headers), body: Array(body.utf8)) }
    }

    static func fail(_ error: ScriptedHTTPError) -> Step { { _ in throw error } }
}

enum ScriptedHTTPError: Error, CustomStringConvertible {
    case noMoreSteps(String)
    case connectionRefused
    case timeout

    var description: String {
        switch self {
        case .noMoreSteps(let url): "no scripted response for \(url)"
        case .connectionRefused: "connection refused"
        case .timeout: "read timeout"
        }
    }
}

/// Records backoff sleeps instead of sleeping.
final class SleepRecorder: Sendable {
    private let slept = Locked<[Duration]>([])
    var delays: [Duration] { slept.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] d in slept.withLock { $0.append(d) } }
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
