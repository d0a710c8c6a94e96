import Foundation
import Transport
@testable import Pismo
#if canImport(Glibc)
import Glibc
#endif

/// A `moto_server` on a kernel-chosen loopback port for integration tests, with IAM authentication switched
/// on: moto lets the first `INITIAL_NO_AUTH_ACTION_COUNT` (3) actions through unauthenticated — we
/// spend them creating an IAM user, an allow-all policy and an access key — and from then on checks
/// every request's SigV4 signature against the keys it knows. So every client call in the tests
/// proves our signing, and a wrong secret is refused.
///
/// Lifecycle: `MotoServer.shared()` starts one server per test process (suites share it); it is
/// stopped at process exit, and a shell watchdog kills moto if the test process dies first, so no
/// server outlives the run. Reusable by other suites (e.g. the pipeline tests).
final class MotoServer: Sendable {
    let port: Int
    let endpoint: String
    let credentials: AWSCredentials
    private let process: Process

    private static let instance = Locked<Task<MotoServer, Error>?>(nil)
    /// Pid files of the moto processes this test process started.
    private static let running = Locked<[String]>([])

    /// The process-wide server, started on first use.
    static func shared(http: any HTTPExecuting = IntegrationHTTP.client) async throws -> MotoServer {
        let task = instance.withLock { current -> Task<MotoServer, Error> in
            if let current { return current }
            let t = Task { try await MotoServer.start(http: http) }
            current = t
            return t
        }
        return try await task.value
    }

    private init(port: Int, process: Process, credentials: AWSCredentials) {
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
        self.process = process
        self.credentials = credentials
    }

    static func start(http: any HTTPExecuting) async throws -> MotoServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Port 0: moto binds a port the kernel picks and names it in its log, so no other server can
        // take the port between a probe and moto's bind. The watchdog loop ends moto when the test
        // process (our pid) is gone, even after a crash. SIGKILL because children spawned by
        // Foundation's Process inherit a mask blocking SIGTERM.
        let name = "pismo-moto-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).pid").path
        let script = """
        python3 -m moto.server -H 127.0.0.1 -p 0 & m=$!
        echo $m > \(pidFile)
        while kill -0 \(getpid()) 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done
        kill -9 $m 2>/dev/null; wait $m; rm -f \(pidFile)
        """
        process.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        process.environment = env
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        running.withLock { $0.append(pidFile) }
        registerExitHook()
        let port = try await waitForListeningPort(process: process, log: log.path)
        let credentials = try await IAMSetup.createAllowAllAccessKey(endpoint: "http://127.0.0.1:\(port)", http: http)
        return MotoServer(port: port, process: process, credentials: credentials)
    }

    /// A client context pointed at this server with its IAM access key.
    func context(http: any HTTPExecuting = IntegrationHTTP.client, credentials: AWSCredentials? = nil,
                 maxAttempts: Int = 3) -> AWSClientContext {
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"], readFile: { _ in nil })
        let clock = AWSClock()
        return AWSClientContext(config: AWSConfig(environment: env), http: http,
                                credentials: CachedCredentialProvider(StaticCredentialProvider(credentials ?? self.credentials), clock: clock),
                                clock: clock, retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(50)),
                                timeout: .seconds(10))
    }

    /// Kills the servers by pid (no Process.waitUntilExit: it spins when called from an exit hook);
    /// each watchdog shell then sees its server gone and exits.
    static func stopAll() {
        for pidFile in running.withLock({ list in defer { list.removeAll() }; return list }) {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            kill(pid, SIGKILL)
        }
    }

    private static let hookInstalled = Locked(false)
    private static func registerExitHook() {
        let first = hookInstalled.withLock { installed in defer { installed = true }; return !installed }
        if first { atexit { MotoServer.stopAll() } }
    }

    /// A TCP socket bound to 127.0.0.1 on a port the kernel picks: (descriptor, port). The caller
    /// owns the descriptor (listen on it, keep it bound, or close it).
    static func bindLoopbackEphemeral() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else {
            close(fd)
            throw MotoError.noPort
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// Reads the port from moto's startup line (werkzeug prints it once the socket listens); a
    /// plain log read, since an HTTP probe would spend one of the unauthenticated actions.
    private static func waitForListeningPort(process: Process, log: String) async throws -> Int {
        let marker = "Running on http://127.0.0.1:"
        for _ in 0..<120 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: marker),
               let port = Int(text[range.upperBound...].prefix(while: \.isNumber)) {
                return port
            }
            guard process.isRunning else { throw MotoError.exited(log) }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw MotoError.notReady(log)
    }
}

enum MotoError: Error, CustomStringConvertible {
    case noPort, exited(String), notReady(String), iam(String)
    var description: String {
        switch self {
        case .noPort: "no free loopback port"
        case .exited(let log): "moto_server exited early (is `moto[server]` installed? see \(log))"
        case .notReady(let log): "moto_server did not listen within 30 s (see \(log))"
        case .iam(let s): "IAM setup against moto failed: \(s)"
        }
    }
}

/// HTTP used by integration tests. Swap to the Transport `HTTPClient` when it is merged.
/// The production HTTP client (our epoll loop, keep-alive pools): integration tests exercise the
/// same transport the services run on.
enum IntegrationHTTP {
    static let client: any HTTPExecuting = HTTPClient()
}
