// pismo-microbench delivery [THOUSANDS]: the delivery engine's own CPU per event on the healthy path
// (route from a cache, signed, 2xx), with the network replaced by an in-memory answer: route lookup,
// endpoint checks, lane, circuit breaker, signing, request building, metrics. THOUSANDS thousand
// events (default 200) one after another, best of 3 rounds, ns/event. Uses only API that existed
// before endpoints (a single-URL route), so one file measures the engine before and after.
import Foundation
import Pismo
import Transport

private struct InstantOK: HTTPExecuting {
    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse { HTTPResponse(status: 200) }
}

private struct OneRoute: RouteStore {
    let route: Route
    func route(for clientID: String) async throws -> Route? { route }
}

private struct NoDeadLetters: DeadLetterPublisher {
    func publish(payload: [UInt8], letter: DeadLetter) async throws {}
}

private struct NoRetries: RetryScheduler {
    func schedule(_ retry: PendingRetry, delay: Duration) async throws {}
}

func runDeliveryBenchmark(_ args: [String]) throws {
    let count = Int((args.first.flatMap(Double.init) ?? 200) * 1000)
    let route = Route(url: "http://127.0.0.1:9/hook", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    let engine = DeliveryEngine(routes: RouteCache(store: OneRoute(route: route)), sender: WebhookSender(http: InstantOK(), timeout: .seconds(10)),
                                deadLetters: NoDeadLetters(), retries: NoRetries(), policy: DeliveryPolicy(),
                                metrics: DeliveryMetrics(registry: MetricsRegistry()))
    let payload = Array(#"{"client_id":"acme","event_id":"e","event_type":"order.created","data":{"amount":"12.30"}}"#.utf8)
    let done = DispatchSemaphore(value: 0)
    Task {
        var best = Double.infinity
        for _ in 0..<3 {
            let started = ContinuousClock.now
            for i in 0..<count {
                _ = try? await engine.deliver(DeliveryJob(clientID: "acme", eventID: "evt-\(i)", eventType: "order.created",
                                                          payload: payload, eventKey: "k\(i)"))
            }
            let elapsed = ContinuousClock.now - started
            best = min(best, Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
        }
        print(String(format: "delivery engine, one signed single-URL route: %.0f ns/event (best of 3, %d events each)", best / Double(count), count))
        done.signal()
    }
    done.wait()
}
