import Testing
@testable import Transport

/// The guard inside the client: a refused destination fails every waiter with `destinationRefused`
/// and no connection is made. Listeners are on 127.0.0.1 and 127.0.0.2 only; every address the
/// tests name leads there.
@Suite struct DestinationGuardTests {
    /// Answers names from a script (a name's answers in turn, the last repeating) and counts lookups;
    /// numeric hosts are parsed as `Resolver` parses them.
    final class ScriptedResolver: HostResolving {
        private let answers: Locked<[String: [[String]]]>
        let lookups = Locked(0)

        init(_ answers: [String: [[String]]]) { self.answers = Locked(answers) }

        func resolve(host: String, port: Int, completion: @escaping Resolver.Completion) {
            lookups.withLock { $0 += 1 }
            if let literal = SocketAddress(numericHost: host, port: port) { return completion(.success([literal])) }
            let next = answers.withLock { all -> [String]? in
                guard let queue = all[host], let first = queue.first else { return nil }
                if queue.count > 1 { all[host] = Array(queue.dropFirst()) }
                return first
            }
            guard let next else { return completion(.failure(.dnsFailure(host: host))) }
            completion(.success(next.map { SocketAddress(numericHost: $0, port: port)! }))
        }
    }

    static func client(allowing nets: [String], resolver: any HostResolving = Resolver.shared,
                       configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.destinationPolicy = DestinationPolicy(allowed: try nets.map { try IPNetwork(parsing: $0) })
        configure(&configuration)
        return HTTPClient(configuration: configuration, resolver: resolver)
    }

    static func server(on host: String, port: Int = 0) async throws -> HTTPServer {
        try await HTTPServer.start(configuration: HTTPServerConfiguration(host: host, port: port), handler: .sync { _ in HTTPResponse(status: 200) })
    }

    private func expectRefused(_ client: HTTPClient, _ url: String, address: String, host: String,
                               sourceLocation: SourceLocation = #_sourceLocation) async {
        await #expect(throws: HTTPClientError.destinationRefused(host: host, address: address, rule: .loopback), sourceLocation: sourceLocation) {
            _ = try await client.execute(HTTPRequest(method: "POST", url: url, body: [1]), timeout: .seconds(5))
        }
    }

    @Test func refusedSpellingsAndNamesMakeNoConnection() async throws {
        let listener = try await Self.server(on: "127.0.0.2")
        let port = listener.port
        let resolver = ScriptedResolver(["sink.test": [["127.0.0.2"]]])
        let guarded = try Self.client(allowing: ["127.0.0.1/32"], resolver: resolver)
        await expectRefused(guarded, "http://127.0.0.2:\(port)/hook", address: "127.0.0.2", host: "127.0.0.2")
        await expectRefused(guarded, "http://127.2:\(port)/hook", address: "127.0.0.2", host: "127.2")
        await expectRefused(guarded, "http://2130706434:\(port)/hook", address: "127.0.0.2", host: "2130706434")
        await expectRefused(guarded, "http://0177.0.0.2:\(port)/hook", address: "127.0.0.2", host: "0177.0.0.2")
        await expectRefused(guarded, "http://0x7f.0.0.2:\(port)/hook", address: "127.0.0.2", host: "0x7f.0.0.2")
        await expectRefused(guarded, "http://[::ffff:127.0.0.2]:\(port)/hook", address: "::ffff:127.0.0.2 (= 127.0.0.2)", host: "::ffff:127.0.0.2")
        await expectRefused(guarded, "http://sink.test:\(port)/hook", address: "127.0.0.2", host: "sink.test")
        #expect(try await guarded.connectionsOpened(to: "http://127.0.0.2:\(port)/") == 0)
        // The control: a client allowed to reach 127.0.0.2 gets through, so the listener was there
        // and would have counted the refused attempts had any connection been made before it.
        let allowed = try Self.client(allowing: ["127.0.0.2/32"])
        #expect(try await allowed.execute(HTTPRequest(method: "GET", url: "http://127.0.0.2:\(port)/"), timeout: .seconds(5)).status == 200)
        #expect(listener.acceptedConnections == 1)
        guarded.shutdown(); allowed.shutdown()
        await listener.shutdown(gracePeriod: .seconds(1))
    }

    @Test func allowedNetworkIsReached() async throws {
        let sink = try await Self.server(on: "127.0.0.1")
        let guarded = try Self.client(allowing: ["127.0.0.1/32"])
        for spelling in ["127.0.0.1", "127.1", "2130706433"] {
            #expect(try await guarded.execute(HTTPRequest(method: "GET", url: "http://\(spelling):\(sink.port)/"), timeout: .seconds(5)).status == 200)
        }
        guarded.shutdown()
        await sink.shutdown(gracePeriod: .seconds(1))
    }

    /// A name with one refused address among allowed ones is refused: not even the allowed one is tried.
    @Test func oneBadAnswerRefusesTheName() async throws {
        let sink = try await Self.server(on: "127.0.0.1")
        let resolver = ScriptedResolver(["mixed.test": [["127.0.0.1", "127.0.0.2"]]])
        let guarded = try Self.client(allowing: ["127.0.0.1/32"], resolver: resolver)
        await expectRefused(guarded, "http://mixed.test:\(sink.port)/", address: "127.0.0.2", host: "mixed.test")
        #expect(try await guarded.connectionsOpened(to: "http://mixed.test:\(sink.port)/") == 0)
        #expect(sink.acceptedConnections == 0)
        guarded.shutdown()
        await sink.shutdown(gracePeriod: .seconds(1))
    }

    /// Every queued request fails at once with the refusal, none waits for its deadline.
    @Test func everyWaiterIsRefused() async throws {
        let resolver = ScriptedResolver(["inside.test": [["127.0.0.2"]]])
        let guarded = try Self.client(allowing: ["127.0.0.1/32"], resolver: resolver) { $0.maxConnectionsPerHost = 1 }
        let refusals = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        _ = try await guarded.execute(HTTPRequest(method: "GET", url: "http://inside.test:9/"), timeout: .seconds(30))
                        return false
                    } catch let error as HTTPClientError {
                        if case .destinationRefused = error { return true }
                        return false
                    } catch { return false }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refusals == 8)
        guarded.shutdown()
    }

    /// The check is made on each resolution and the connection goes to what was checked: a name that
    /// later resolves elsewhere (DNS rebinding) is refused at its next connection.
    @Test func everyResolutionIsChecked() async throws {
        let sink = try await Self.server(on: "127.0.0.1")
        let resolver = ScriptedResolver(["rebind.test": [["127.0.0.1"], ["127.0.0.2"]]])
        let guarded = try Self.client(allowing: ["127.0.0.1/32"], resolver: resolver) { $0.idleTimeout = .milliseconds(20) }
        let url = "http://rebind.test:\(sink.port)/"
        #expect(try await guarded.execute(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).status == 200)
        #expect(resolver.lookups.withLock { $0 } == 1)
        // The idle connection is swept; the next request resolves again and gets the other answer.
        #expect(try await holds(within: .seconds(5)) { sink.openConnections == 0 })
        await expectRefused(guarded, url, address: "127.0.0.2", host: "rebind.test")
        #expect(resolver.lookups.withLock { $0 } == 2)
        #expect(sink.acceptedConnections == 1)
        guarded.shutdown()
        await sink.shutdown(gracePeriod: .seconds(1))
    }

    @Test func httpsOnlyRefusesPlainHTTPBeforeAnyLookup() async throws {
        let resolver = ScriptedResolver([:])
        let guarded = try Self.client(allowing: ["127.0.0.1/32"], resolver: resolver) { $0.destinationPolicy?.httpsOnly = true }
        await #expect(throws: HTTPClientError.destinationRefused(host: "127.0.0.1", address: "", rule: .httpsOnly)) {
            _ = try await guarded.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/"), timeout: .seconds(5))
        }
        #expect(resolver.lookups.withLock { $0 } == 0)
        guarded.shutdown()
    }
}
