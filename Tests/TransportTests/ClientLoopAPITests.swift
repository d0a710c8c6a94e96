import Testing
@testable import Transport

/// The loop-level client API (prepared requests, completion callbacks), the pool's shared
/// deadline timer, and URL parsing.
@Suite struct ClientLoopAPITests {
    @Test func preparedRequestCompletesOnThePoolLoopAndCanBeResent() async throws {
        let f = try await Fixture.start()
        let prepared = try f.client.prepare(HTTPRequest(method: "POST", url: f.base + "/again?n=1", body: Array("ping".utf8)))
        // Each completion sends the next request from inside the callback, as the load generator does.
        let outcome = await withCheckedContinuation { (done: CheckedContinuation<(Int, Bool, [UInt8]?), Never>) in
            final class Chain: @unchecked Sendable {
                var remaining = 5, onLoop = true
                var lastBody: [UInt8]?
            }
            let chain = Chain()
            @Sendable func send() {
                f.client.execute(prepared, timeout: .seconds(5)) { result in
                    chain.onLoop = chain.onLoop && f.group.loops.contains { $0.inEventLoop }
                    chain.lastBody = try? result.get().body
                    chain.remaining -= 1
                    if chain.remaining == 0 || chain.lastBody == nil {
                        done.resume(returning: (chain.remaining, chain.onLoop, chain.lastBody))
                    } else {
                        send()
                    }
                }
            }
            send()
        }
        #expect(outcome.0 == 0)
        #expect(outcome.1, "completions run on the pool's loop thread")
        #expect(outcome.2 == Array("ping".utf8))
        #expect(try await f.client.connectionsOpened(to: f.base) == 1, "sent one after another, they share one connection")
        await f.stop()
    }

    /// A task running on a loop of the client's group gets that loop's pool: the exchange never
    /// leaves its thread, and each loop keeps its own keep-alive connection.
    @Test func callersOnALoopUseThatLoopsPool() async throws {
        let f = try await Fixture.start(loops: 2)
        let url = f.base + "/per-loop"
        for round in 0..<3 {
            for loop in f.group.loops {
                let stayed = try await Task(executorPreference: loop) {
                    let response = try await f.client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5))
                    return response.status == 200 && loop.inEventLoop
                }.value
                #expect(stayed, "round \(round): resumed on loop \(loop.index)")
            }
        }
        #expect(try await f.client.connectionsOpened(to: url) == 2, "one keep-alive connection per loop, reused")
        await f.stop()
    }

    /// Cancellation racing the submission (the cancel handler runs on the loop while the caller's
    /// thread is still attaching its continuation) once crashed with a leaked continuation. Every
    /// request must end exactly once: a response or CancellationError.
    @Test func cancellingAtOnceEndsEveryRequestExactlyOnce() async throws {
        let f = try await Fixture.start()
        let request = HTTPRequest(method: "GET", url: f.base + "/race")
        var outcomes = (ok: 0, cancelled: 0, other: 0)
        for _ in 0..<20 {
            let tasks = (0..<50).map { _ in Task { try await f.client.execute(request, timeout: .seconds(5)) } }
            for task in tasks { task.cancel() }
            for task in tasks {
                do { _ = try await task.value; outcomes.ok += 1 } catch is CancellationError { outcomes.cancelled += 1 } catch { outcomes.other += 1 }
            }
        }
        #expect(outcomes.ok + outcomes.cancelled == 1000)
        #expect(outcomes.other == 0)
        #expect(outcomes.cancelled > 0, "at least some cancellations must land before the response")
        await f.stop()
    }

    @Test func prepareRejectsBadRequestsBeforeSendingAnything() async throws {
        let f = try await Fixture.start()
        #expect(throws: HTTPClientError.invalidHeader(name: "X-Evil")) {
            _ = try f.client.prepare(HTTPRequest(method: "GET", url: f.base, headers: HTTPHeaders([("X-Evil", "a\r\nb: c")])))
        }
        #expect(throws: HTTPClientError.unsupportedScheme("ftp")) {
            _ = try f.client.prepare(HTTPRequest(method: "GET", url: "ftp://127.0.0.1/"))
        }
        await f.stop()
    }

    /// The pool keeps one timer armed at the earliest deadline: a short-timeout request queued
    /// after a long-timeout one must still fail on time, and the long one must not fail early.
    @Test func aLaterShorterDeadlineStillFiresFirst() async throws {
        let (listener, port) = ScriptedSocket.listen()
        let group = try EventLoopGroup(threads: 1)
        let client = HTTPClient(group: group)
        let url = "http://127.0.0.1:\(port)/"
        let slow = Task { try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: HTTPClientError.requestTimeout(host: "127.0.0.1")) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: url), timeout: .milliseconds(200))
        }
        #expect(clock.now - started < .seconds(10), "the short deadline did not wait for the long one")
        slow.cancel()
        await #expect(throws: CancellationError.self) { _ = try await slow.value }
        listener.close()
        client.shutdown()
        group.syncShutdown()
    }

    @Test(arguments: [
        ("http://Example.COM/a/b?q=1#frag", "http", "example.com", 80, "/a/b?q=1"),
        ("https://h:8443", "https", "h", 8443, "/"),
        ("HTTP://h?x=y", "http", "h", 80, "/?x=y"),
        ("http://[::1]:9000/six", "http", "::1", 9000, "/six"),
        ("https://[2001:db8::1]/", "https", "2001:db8::1", 443, "/"),
    ])
    func parsesAbsoluteURLs(url: String, scheme: String, host: String, port: Int, path: String) throws {
        let target = try RequestTarget(url: url)
        #expect(target.scheme == scheme)
        #expect(target.host == host)
        #expect(target.port == port)
        #expect(target.path == path)
    }

    @Test(arguments: ["", "example.com/x", "http:/x", "http://", "http://user@h/", "http://h:/", "http://h:0/",
                      "http://h:65536/", "http://h:+80/", "http://[::1/", "http://[::1]x/", "http://h/a b", "http://h/\u{7f}"])
    func rejectsMalformedURLs(url: String) {
        #expect(throws: HTTPClientError.invalidURL(url)) { _ = try RequestTarget(url: url) }
    }

    @Test func hostHeaderBracketsIPv6AndOmitsDefaultPorts() throws {
        #expect(try RequestTarget(url: "http://[::1]:80/").hostHeader == "[::1]")
        #expect(try RequestTarget(url: "https://h:444/").hostHeader == "h:444")
    }
}
