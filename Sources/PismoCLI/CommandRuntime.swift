import Foundation
import Logging
import Pismo
import Transport

/// Process-wide wiring shared by the subcommands: logging, the HTTP client, the AWS clients.
enum Runtime {
    static func start(_ settings: PismoSettings) -> (http: HTTPClient, aws: PismoAWS) {
        JSONLogHandler.bootstrap(level: settings.logLevel)
        // Tenant isolation holds on a shared webhook host only while hanging clients x their
        // per-client concurrency (8) stay under the per-host connection cap: 256 keeps 31 hung
        // clients behind one host from starving the rest (the client default, 64, kept 7).
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 256
        let http = HTTPClient(configuration: configuration)
        return (http, PismoAWS(http: http))
    }

    /// Runs a long-lived service with an event loop as its task executor preference. Its tasks and
    /// their child tasks then run on the loop thread that also carries their HTTP connections (the
    /// client gives a caller on a loop that loop's pool), so an AWS call or a webhook completes
    /// without waking a cooperative-pool thread and back: about 25 µs of CPU per round trip saved
    /// (`pismo-microbench loop-hop`). One loop per process; scale out with more processes.
    static func onEventLoop(_ body: () async throws -> Void) async throws {
        try await withTaskExecutorPreference(EventLoopGroup.shared.loops[0], operation: body)
    }

    /// Prints an error the way every command does: one line on stderr with the cause.
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("pismo: \(message)\n".utf8))
        exit(code)
    }
}
