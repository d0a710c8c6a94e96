import Testing
import Transport
@testable import Pismo

/// The check `pismo routes set` warns with: the guard's own classification of the resolver's answer.
/// Only numeric hosts and a scripted resolver: nothing is looked up or contacted.
@Suite struct RouteDestinationCheckTests {
    struct OneName: HostResolving {
        let name: String
        let addresses: [String]
        func resolve(host: String, port: Int, completion: @escaping Resolver.Completion) {
            if let literal = SocketAddress(numericHost: host, port: port) { return completion(.success([literal])) }
            guard host == name else { return completion(.failure(.dnsFailure(host: host))) }
            completion(.success(addresses.map { SocketAddress(numericHost: $0, port: port)! }))
        }
    }

    let policy = DestinationPolicy(allowed: [try! IPNetwork(parsing: "127.0.0.1/32")])
    let resolver = OneName(name: "inside.test", addresses: ["127.0.0.1", "169.254.169.254"])

    @Test func refusedURLsAreFound() async {
        let cases: [(String, String, String, DestinationRule)] = [
            ("http://127.0.0.2:9/x", "127.0.0.2", "127.0.0.2", .loopback),
            ("http://127.2:9/x", "127.2", "127.0.0.2", .loopback),
            ("http://[::ffff:127.0.0.2]:9/x", "::ffff:127.0.0.2", "::ffff:127.0.0.2 (= 127.0.0.2)", .loopback),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "169.254.169.254", .linkLocal),
            ("https://inside.test/x", "inside.test", "169.254.169.254", .linkLocal),
        ]
        for (url, host, address, rule) in cases {
            let finding = await RouteDestinationCheck.check(url: url, policy: policy, resolver: resolver)
            #expect(finding == .refused(.destinationRefused(host: host, address: address, rule: rule)), "\(url)")
        }
    }

    @Test func acceptedAndUnresolvedURLs() async {
        #expect(await RouteDestinationCheck.check(url: "http://127.0.0.1:9/x", policy: policy, resolver: resolver) == nil)
        #expect(await RouteDestinationCheck.check(url: "https://8.8.8.8/x", policy: policy, resolver: resolver) == nil)
        #expect(await RouteDestinationCheck.check(url: "https://nowhere.test/x", policy: policy, resolver: resolver)
                == .unresolved(.dnsFailure(host: "nowhere.test")))
        var httpsOnly = policy
        httpsOnly.httpsOnly = true
        #expect(await RouteDestinationCheck.check(url: "http://8.8.8.8/x", policy: httpsOnly, resolver: resolver)
                == .refused(.destinationRefused(host: "8.8.8.8", address: "", rule: .httpsOnly)))
    }
}
