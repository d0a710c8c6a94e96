import Histogram
import Transport

/// What one worker measured; merged across workers at the end.
struct WorkerResult: Sendable {
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var completed = 0, errors = 0, non2xx = 0
    var firstError: String?

    mutating func merge(_ other: WorkerResult) {
        latency.add(other.latency)
        completed += other.completed
        errors += other.errors
        non2xx += other.non2xx
        firstError = firstError ?? other.firstError
    }

    mutating func record(_ outcome: Result<HTTPResponse, Error>, sent: ContinuousClock.Instant) {
        switch outcome {
        case .success(let response):
            if !(200..<300).contains(response.status) { non2xx += 1 }
            completed += 1
            _ = latency.record(UInt64(max(0, (ContinuousClock.now - sent).seconds * 1_000_000)))
        case .failure(let error):
            errors += 1
            firstError = firstError ?? "\(error)"
        }
    }
}

/// When a worker sends: closed loop (as soon as the previous answer is in) or open loop, where
/// request k is *due* at start + offset + k * interval whatever happened before, and latency is
/// measured from that due time, so a stall is charged to every request it delayed.
struct Schedule: Sendable {
    let end: ContinuousClock.Instant
    let interval: Duration?
    var due: ContinuousClock.Instant

    /// The instant latency counts from, or nil when the run is over.
    mutating func nextSend() -> (sendAt: ContinuousClock.Instant, countFrom: ContinuousClock.Instant)? {
        let now = ContinuousClock.now
        guard let interval else { return now >= end ? nil : (now, now) }
        guard due < end else { return nil }
        let slot = due
        due = due.advanced(by: interval)
        return (slot, slot)
    }
}

/// A worker on the async API: one task, one request at a time.
enum AsyncWorker {
    static func run(client: HTTPClient, request: HTTPRequest, schedule: Schedule) async -> WorkerResult {
        var schedule = schedule
        var result = WorkerResult()
        while let (sendAt, countFrom) = schedule.nextSend() {
            if sendAt > .now { try? await Task.sleep(until: sendAt, clock: .continuous) }
            do {
                result.record(.success(try await client.execute(request, timeout: .seconds(30))), sent: countFrom)
            } catch {
                result.record(.failure(error), sent: countFrom)
            }
        }
        return result
    }
}

/// A worker on the loop-level API: a state machine on the pool's loop that sends its next request
/// from inside the previous completion, like wrk's connection callbacks. Loop-confined.
final class LoopWorker: @unchecked Sendable {
    private let client: HTTPClient
    private let request: PreparedRequest
    private let loop: EventLoop
    private var schedule: Schedule
    private var result = WorkerResult()
    private var finished: CheckedContinuation<WorkerResult, Never>?

    init(client: HTTPClient, request: PreparedRequest, loop: EventLoop, schedule: Schedule) {
        self.client = client
        self.request = request
        self.loop = loop
        self.schedule = schedule
    }

    func run() async -> WorkerResult {
        await withCheckedContinuation { continuation in
            loop.execute { [self] in
                finished = continuation
                sendNext()
            }
        }
    }

    private func sendNext() {
        guard let (sendAt, countFrom) = schedule.nextSend() else {
            finished?.resume(returning: result)
            finished = nil
            return
        }
        let wait = sendAt - .now
        if wait > .zero {
            loop.scheduleTimer(after: wait) { [self] in send(countingFrom: countFrom) }
        } else {
            send(countingFrom: countFrom)
        }
    }

    private func send(countingFrom start: ContinuousClock.Instant) {
        client.execute(request, timeout: .seconds(30)) { [self] outcome in
            result.record(outcome, sent: start)
            sendNext()
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
