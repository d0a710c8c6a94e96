import Testing
import Transport
@testable import Pismo

/// `/readyz` follows the service: not ready before its first successful AWS call, ready after it,
/// not ready again once it drains.
@Suite struct ReadinessTests {
    struct Answering: HTTPExecuting {
        let status: Int
        func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
            HTTPResponse(status: status, headers: HTTPHeaders(), body: [])
        }
    }

    @Test func onlyASuccessfulAWSCallMakesTheServiceReadyAndDrainingUndoesIt() async throws {
        let readiness = Readiness()
        #expect(!readiness.isReady)
        _ = try await ReadinessProbe(Answering(status: 500), readiness: readiness)
            .execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:1/", headers: HTTPHeaders(), body: []), timeout: .seconds(1))
        #expect(!readiness.isReady, "an error answer proves nothing about the service")
        _ = try await ReadinessProbe(Answering(status: 200), readiness: readiness)
            .execute(HTTPRequest(method: "POST", url: "http://127.0.0.1:1/", headers: HTTPHeaders(), body: []), timeout: .seconds(1))
        #expect(readiness.isReady)
        readiness.markDraining()
        #expect(!readiness.isReady)
        readiness.markReady()
        #expect(!readiness.isReady, "draining is final")
    }
}
