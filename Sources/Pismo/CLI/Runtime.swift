import Foundation
import Logging
import Pismo
import Transport

/// Process-wide wiring shared by the subcommands: logging, the HTTP client, the AWS clients.
enum Runtime {
    static func start(_ settings: PismoSettings) -> (http: HTTPClient, aws: PismoAWS) {
        JSONLogHandler.bootstrap(level: settings.logLevel)
        let http = HTTPClient()
        return (http, PismoAWS(http: http))
    }

    /// Prints an error the way every command does: one line on stderr with the cause.
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("pismo: \(message)\n".utf8))
        exit(code)
    }
}
