import Testing
import Transport
@testable import Pismo

@Suite struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    /// Collects state changes in order.
    final class Changes: Sendable {
        private let list = Locked<[String]>([])
        func add(_ key: String, _ from: CircuitBreaker.State, _ to: CircuitBreaker.State) {
            list.withLock { $0.append("\(key) \(from.rawValue)→\(to.rawValue)") }
        }
        var all: [String] { list.withLock { $0 } }
    }

    func breaker(_ options: CircuitBreaker.Options = .init(), changes: Changes? = nil) -> CircuitBreaker {
        guard let changes else { return CircuitBreaker(options: options) }
        return CircuitBreaker(options: options, onStateChange: { key, from, to in changes.add(key, from, to) })
    }

    /// Records `failures` failures then `successes` successes for `key`, one second apart from `start`.
    func record(_ b: CircuitBreaker, _ key: String = "a", failures: Int = 0, successes: Int = 0, from start: Duration = .zero) {
        var at = start
        for _ in 0..<failures { b.record(key, success: false, now: t0 + at); at += .seconds(1) }
        for _ in 0..<successes { b.record(key, success: true, now: t0 + at); at += .seconds(1) }
    }

    /// Opens `key`'s circuit at `t0 + 9 s` (ten failures one second apart).
    func open(_ b: CircuitBreaker, _ key: String = "a") {
        record(b, key, failures: 10)
        #expect(b.state(of: key) == .open)
    }

    @Test func defaultsAreConvoys() {
        let o = CircuitBreaker.Options()
        #expect(o.window == .seconds(300) && o.minimumAttempts == 10 && o.failureRatio == 0.7)
        #expect(o.probeInterval == .seconds(30) && o.maxKeys == 10_000)
    }

    @Test func staysClosedUnderTenAttemptsEvenIfAllFail() {
        let b = breaker()
        record(b, failures: 9)
        #expect(b.state(of: "a") == .closed)
        #expect(b.permit("a", now: t0 + .seconds(9)) == .attempt)
        b.record("a", success: false, now: t0 + .seconds(9))
        #expect(b.state(of: "a") == .open)
    }

    @Test func opensAtExactlySeventyPercentOfTen() {
        let b = breaker()
        record(b, successes: 3)  // successes first so the tenth outcome is the deciding failure
        record(b, failures: 6, from: .seconds(3))
        #expect(b.state(of: "a") == .closed)
        b.record("a", success: false, now: t0 + .seconds(9))
        #expect(b.state(of: "a") == .open)
        #expect(b.permit("a", now: t0 + .seconds(10)) == .park)
    }

    @Test func sixtyPercentDoesNotOpen() {
        let b = breaker()
        record(b, failures: 6, successes: 4)
        #expect(b.state(of: "a") == .closed)
        // ...nor does it over more attempts at the same share (interleaved: fail, fail, fail, succeed,
        // succeed — the running share never reaches 70 % once ten attempts are in).
        for i in 0..<30 { b.record("a", success: i % 5 >= 3, now: t0 + .seconds(10 + i)) }
        #expect(b.state(of: "a") == .closed)
        #expect(b.permit("a", now: t0 + .seconds(40)) == .attempt)
    }

    @Test func oldFailuresAgeOutOfTheFiveMinuteWindow() {
        let b = breaker()
        for _ in 0..<9 { b.record("a", success: false, now: t0) }
        b.record("a", success: false, now: t0 + .seconds(300))
        #expect(b.state(of: "a") == .closed)

        let c = breaker()
        for _ in 0..<9 { c.record("a", success: false, now: t0) }
        c.record("a", success: false, now: t0 + .seconds(299))
        #expect(c.state(of: "a") == .open)
    }

    @Test func agedOutSuccessesNoLongerDiluteFailures() {
        let b = breaker()
        for _ in 0..<10 { b.record("a", success: true, now: t0) }
        record(b, failures: 9, from: .seconds(100))
        #expect(b.state(of: "a") == .closed)  // 9 of 19
        b.record("a", success: false, now: t0 + .seconds(300))  // the ten successes have aged out
        #expect(b.state(of: "a") == .open)
    }

    @Test func onlyOneProbePerThirtySecondsWhileOpen() {
        let b = breaker()
        open(b)  // at t0 + 9 s
        #expect(b.permit("a", now: t0 + .seconds(10)) == .park)
        #expect(b.permit("a", now: t0 + .seconds(38)) == .park)
        #expect(b.permit("a", now: t0 + .seconds(39)) == .probe)
        #expect(b.state(of: "a") == .halfOpen)
        #expect(b.permit("a", now: t0 + .seconds(39)) == .park)
        #expect(b.permit("a", now: t0 + .seconds(68)) == .park)
        // A probe that never reports back does not keep the circuit parked for ever.
        #expect(b.permit("a", now: t0 + .seconds(69)) == .probe)
        #expect(b.permit("a", now: t0 + .seconds(70)) == .park)
    }

    @Test func probeSuccessCloses() {
        let b = breaker()
        open(b)
        #expect(b.permit("a", now: t0 + .seconds(40)) == .probe)
        b.record("a", success: true, now: t0 + .seconds(41))
        #expect(b.state(of: "a") == .closed)
        #expect(b.permit("a", now: t0 + .seconds(42)) == .attempt)
        // Closed with an empty window: the failures that opened it no longer count.
        record(b, failures: 9, from: .seconds(43))
        #expect(b.state(of: "a") == .closed)
    }

    @Test func probeFailureReopensForAnotherThirtySeconds() {
        let b = breaker()
        open(b)
        #expect(b.permit("a", now: t0 + .seconds(40)) == .probe)
        b.record("a", success: false, now: t0 + .seconds(45))
        #expect(b.state(of: "a") == .open)
        #expect(b.permit("a", now: t0 + .seconds(74)) == .park)
        #expect(b.permit("a", now: t0 + .seconds(75)) == .probe)
    }

    @Test func outcomesWhileOpenAreIgnored() {
        let b = breaker()
        open(b)
        b.record("a", success: true, now: t0 + .seconds(10))  // an attempt started before it opened
        #expect(b.state(of: "a") == .open)
        #expect(b.permit("a", now: t0 + .seconds(11)) == .park)
    }

    @Test func stateChangesAreReportedInOrder() {
        let changes = Changes()
        let b = breaker(changes: changes)
        open(b)
        _ = b.permit("a", now: t0 + .seconds(10))  // parked: no change
        _ = b.permit("a", now: t0 + .seconds(39))
        b.record("a", success: false, now: t0 + .seconds(40))
        _ = b.permit("a", now: t0 + .seconds(70))
        b.record("a", success: true, now: t0 + .seconds(71))
        #expect(changes.all == [
            "a closed→open", "a open→half-open", "a half-open→open", "a open→half-open", "a half-open→closed",
        ])
    }

    @Test func keysAreIndependent() {
        let b = breaker()
        open(b, "a")
        #expect(b.permit("b", now: t0 + .seconds(10)) == .attempt)
        record(b, "b", failures: 5, successes: 5)
        #expect(b.state(of: "b") == .closed && b.state(of: "a") == .open)
    }

    @Test func askingAboutUnknownKeysStoresNothing() {
        let b = breaker()
        for i in 0..<100 { #expect(b.permit("k\(i)", now: t0) == .attempt) }
        #expect(b.trackedKeys == 0)
    }

    @Test func leastRecentlyUsedKeyIsForgottenAtTheCap() {
        let changes = Changes()
        let b = breaker(.init(maxKeys: 3), changes: changes)
        open(b, "a")
        open(b, "b")
        open(b, "c")
        #expect(b.trackedKeys == 3)
        _ = b.permit("a", now: t0 + .seconds(10))  // a is now more recent than b
        b.record("d", success: true, now: t0 + .seconds(11))
        #expect(b.trackedKeys == 3)
        #expect(b.state(of: "b") == .closed)
        #expect(b.permit("b", now: t0 + .seconds(12)) == .attempt)
        #expect(b.state(of: "a") == .open && b.state(of: "c") == .open)
        #expect(changes.all.last == "b open→closed")
    }

    @Test func aFullTableEvictsAnEighthAtOnce() {
        let b = breaker(.init(maxKeys: 80))
        for i in 0..<80 { b.record("k\(i)", success: true, now: t0) }
        #expect(b.trackedKeys == 80)
        b.record("new", success: true, now: t0)
        #expect(b.trackedKeys == 71)
        for i in 0..<1000 { b.record("more\(i)", success: true, now: t0) }
        #expect(b.trackedKeys <= 80)
    }

    @Test func concurrentUseIsSafe() async {
        let b = breaker()
        let t0 = t0
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<2000 {
                        let key = "k\(i % 50)"
                        if b.permit(key, now: t0 + .milliseconds(i)) != .park {
                            b.record(key, success: (i + worker) % 4 == 0, now: t0 + .milliseconds(i))
                        }
                    }
                }
            }
        }
        #expect(b.trackedKeys == 50)
        #expect(b.state(of: "k0") == .open)  // 75 % failures
    }
}
