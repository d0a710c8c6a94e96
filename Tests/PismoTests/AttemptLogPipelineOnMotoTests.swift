import Foundation
import Testing
import Transport
@testable import Pismo

/// The attempt log through the whole pipeline (issue 14's "failing-then-recovering endpoint"): a
/// client whose endpoint answers 503 twice and then recovers has both failures and their recoveries
/// in the log, with the body it answered; a healthy client has nothing (mode `failures`); and
/// `pismo attempts` shows the story.
@Suite("attempt log through the pipeline against moto", .timeLimit(.minutes(3)))
struct AttemptLogPipelineOnMotoTests {
    @Test
    func aFailingThenRecoveringEndpointsStory() async throws {
        let failures = 2
        let busy = Array("<html><body>Service Unavailable: deploying</body></html>".utf8)
        try await withLoopbackSink { sink in
            let routes = [
                "client-1": sink.on("/flaky") { nth in nth < failures ? HTTPResponse(status: 503, body: busy) : HTTPResponse(status: 200) },
                "client-2": sink.on("/steady", LoopbackSink.always(200)),
            ]
            try await withMotoPipeline(routes: routes, configure: {
                $0.retrySchedule = .exponential(maxAttempts: 8, base: .milliseconds(20), max: .milliseconds(200))
                $0.deliveryTimeoutMilliseconds = 2000
            }) { pipeline in
                let events = EventGenerator(clients: 2, seed: UInt64(pipeline.tag)).events(6)  // 3 per client
                try await pipeline.send(events)
                try await eventually("both clients received every event") {
                    Set(sink.delivered(to: "/flaky")) == Set(events.filter { $0.clientID == "client-1" })
                        && Set(sink.delivered(to: "/steady")) == Set(events.filter { $0.clientID == "client-2" })
                }
                // The sink counts a delivery when it answers; the engine records the attempt just after.
                // Wait for the log to hold every recovery (closing it at once could drop the last one).
                let history = DynamoDBAttemptHistory(dynamo: pipeline.aws.dynamo, table: pipeline.settings.attemptsTable)
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline, try await !Self.everyFailureRecovered(history, clientID: "client-1") {
                    try await Task.sleep(for: .milliseconds(200))
                }
                await pipeline.wiring.drainAttemptLog()
                let flaky = try await history.attempts(.init(clientID: "client-1"))
                let failed = flaky.filter { !$0.delivered }
                #expect(failed.count == failures)
                #expect(failed.allSatisfy { $0.status == 503 && $0.endpointID == "default" && $0.responseExcerpt == busy })
                for event in Set(failed.map(\.eventID)) {
                    let story = flaky.filter { $0.eventID == event }
                    #expect(story.last?.delivered == true && story.last?.status == 200 && (story.last?.attempt ?? 0) > 1,
                            "the recovery of \(event) is logged: \(story)")
                }
                #expect(try await history.attempts(.init(clientID: "client-2")).isEmpty, "a healthy client costs no write")

                var env = PismoProcess.environment(moto: try await MotoServer.shared(), settings: pipeline.settings)
                env["COLUMNS"] = "400"  // wide enough for the response column
                let shown = try await PismoProcess.run(["attempts", "client-1"], cwd: try PismoProcess.emptyDirectory(), env: env)
                #expect(shown.status == 0, "\(shown.output)")
                #expect(shown.output.contains("Service Unavailable: deploying") && shown.output.contains("200 delivered"), "\(shown.output)")
            }
        }
    }

    /// Whether the log holds, for every event with a failed attempt, an attempt that delivered it.
    static func everyFailureRecovered(_ history: DynamoDBAttemptHistory, clientID: String) async throws -> Bool {
        var failedEvents = Set<String>(), deliveredEvents = Set<String>()
        for row in try await history.attempts(.init(clientID: clientID)) {
            if row.delivered { deliveredEvents.insert(row.eventID) } else { failedEvents.insert(row.eventID) }
        }
        return !failedEvents.isEmpty && failedEvents.isSubset(of: deliveredEvents)
    }
}
