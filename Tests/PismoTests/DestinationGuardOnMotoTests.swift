import Foundation
import Testing
import Transport
@testable import Pismo

/// The SSRF guard end to end on moto, with only 127.0.0.1/32 allowed (the tests' default): routes to
/// 127.0.0.2 — spelled in full, short, decimal, IPv4-mapped, and as a name that resolves there — are
/// dead-lettered with `destination-refused` naming the rule and address, by the stream path after
/// direct dispatch was refused too, and a listener on 127.0.0.2 receives nothing. A healthy client
/// in the same pipeline is delivered as usual.
///
/// The name is answered by a scripted resolver handed to the webhook client (the `HostResolving`
/// seam), so nothing in /etc/hosts or DNS is touched.
@Suite("SSRF guard against moto", .timeLimit(.minutes(3)))
struct DestinationGuardOnMotoTests {
    struct NameTo127002: HostResolving {
        static let name = "hooks.inside.test"
        func resolve(host: String, port: Int, completion: @escaping Resolver.Completion) {
            if host == Self.name { return completion(.success([SocketAddress(numericHost: "127.0.0.2", port: port)!])) }
            Resolver.shared.resolve(host: host, port: port, completion: completion)
        }
    }

    @Test func refusedDestinationsAreDeadLetteredWithoutAConnection() async throws {
        let listener = try await HTTPServer.start(configuration: HTTPServerConfiguration(host: "127.0.0.2", port: 0),
                                                  handler: .sync { _ in HTTPResponse(status: 200) })
        let port = listener.port
        do {
            try await withLoopbackSink { sink in
                let refused = [
                    "client-1": ("http://127.0.0.2:\(port)/hook", "127.0.0.2 is loopback"),
                    "client-2": ("http://127.2:\(port)/hook", "127.0.0.2 is loopback"),
                    "client-3": ("http://[::ffff:127.0.0.2]:\(port)/hook", "::ffff:127.0.0.2 (= 127.0.0.2) is loopback"),
                    "client-4": ("http://\(NameTo127002.name):\(port)/hook", "127.0.0.2 is loopback"),
                    "client-5": ("http://2130706434:\(port)/hook", "127.0.0.2 is loopback"),
                ]
                var routes = refused.mapValues(\.0)
                routes["client-6"] = sink.on("/ok", LoopbackSink.always(200))
                try await withMotoPipeline(routes: routes, resolver: NameTo127002(), configure: { $0.directDispatch = true }) { pipeline in
                    let events = EventGenerator(clients: 6, seed: UInt64(pipeline.tag)).events(18)  // 3 per client
                    try await pipeline.send(events)
                    let letters = try await pipeline.deadLetters(15)
                    #expect(letters.map(\.body).sorted() == events.filter { $0.clientID != "client-6" }.sorted(),
                            "exactly one letter per refused event, the payload byte-identical")
                    for letter in letters {
                        let client = letter.body.clientID
                        let error = letter.messageAttributes["pismo-error"]?.stringValue ?? ""
                        #expect(error.hasPrefix("destination-refused: "), "\(client): \(error)")
                        #expect(error.contains(refused[client]?.1 ?? "?"), "\(client): \(error) names the rule and address")
                        #expect(letter.messageAttributes["pismo-attempts"]?.stringValue == "1", "never retried")
                        #expect(letter.messageAttributes["pismo-last-status"] == nil)
                    }
                    try await eventually("the healthy client is delivered") { sink.delivered(to: "/ok").count == 3 }
                    #expect(sink.delivered(to: "/ok").sorted() == events.filter { $0.clientID == "client-6" }.sorted())
                }
            }
            #expect(listener.acceptedConnections == 0, "no connection reached 127.0.0.2")
            // The control: the listener was there, and counts what reaches it.
            let control = try await HTTPClient().execute(HTTPRequest(method: "GET", url: "http://127.0.0.2:\(port)/"), timeout: .seconds(5))
            #expect(control.status == 200 && listener.acceptedConnections == 1)
            await listener.shutdown(gracePeriod: .seconds(1))
        } catch {
            await listener.shutdown(gracePeriod: .seconds(1))
            throw error
        }
    }

    /// `pismo routes set` warns on stderr when deliver would refuse the URL, and still sets it.
    @Test func routesSetWarns() async throws {
        let moto = try await MotoServer.shared()
        let tag = UInt32.random(in: 0...UInt32.max)
        let settings = PismoSettings.unique(tag)
        try await Provisioning(aws: PismoAWS(context: moto.context()), settings: settings, log: { _ in }).run()
        let env = PismoProcess.environment(moto: moto, settings: settings)
        let cwd = PismoProcess.repositoryRoot
        let refused = try await PismoProcess.run(["routes", "set", "acme", "http://127.2:9/hook"], cwd: cwd, env: env)
        #expect(refused.status == 0)
        #expect(refused.output.contains("route acme/default -> http://127.2:9/hook"))
        #expect(refused.output.contains("pismo: warning: deliveries to http://127.2:9/hook will be refused and dead-lettered (destination-refused): "
                                        + "destination 127.2 refused: 127.0.0.2 is loopback"), "\(refused.output)")
        let allowed = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/hook"], cwd: cwd, env: env)
        #expect(allowed.status == 0 && !allowed.output.contains("warning"), "\(allowed.output)")
        var httpsOnly = env
        httpsOnly["PISMO_WEBHOOK_HTTPS_ONLY"] = "true"
        let plain = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/hook"], cwd: cwd, env: httpsOnly)
        #expect(plain.output.contains("https-only"), "\(plain.output)")
        // With nothing allowed, AWS on 127.0.0.1 (moto) is still reached: only webhooks are guarded.
        var nothingAllowed = env
        nothingAllowed["PISMO_WEBHOOK_ALLOW_NETS"] = nil
        let unguardedAWS = try await PismoProcess.run(["routes", "set", "acme", "http://127.0.0.1:9/hook"], cwd: cwd, env: nothingAllowed)
        #expect(unguardedAWS.status == 0 && unguardedAWS.output.contains("127.0.0.1 is loopback"), "\(unguardedAWS.output)")
        var bad = env
        bad["PISMO_WEBHOOK_ALLOW_NETS"] = "127.0.0.1/40"
        let badStart = try await PismoProcess.run(["routes", "list"], cwd: cwd, env: bad)
        #expect(badStart.status != 0 && badStart.output.contains("PISMO_WEBHOOK_ALLOW_NETS"), "\(badStart.output)")
    }
}
