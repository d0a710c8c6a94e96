import Testing
import Transport
@testable import Pismo

/// `pismo routes set` accepts exactly the URLs the webhook client can send: both parse with
/// `RequestTarget`. A route accepted at set time and refused at send time dead-lettered every event.
@Suite struct RouteURLTests {
    static let urls = [
        "http://127.0.0.1:8080/hook", "https://hooks.example.com/a?b=c", "http://[::1]:9000/", "HTTP://Example.COM",
        "http://user:secret@127.0.0.1:8080/hook", "http://@127.0.0.1/", "ftp://example.com/", "http://", "example.com/hook",
        "http://127.0.0.1:99999/", "http://127.0.0.1/a b", "http://127.0.0.1/\u{7f}", "http://[::1/",
    ]

    @Test func userInfoIsRefusedWhenTheRouteIsSet() {
        #expect(throws: PismoError.self) { try RouteAdmin.validate(url: "http://user:secret@127.0.0.1:8080/hook", secret: nil) }
    }

    @Test(arguments: urls)
    func routesSetAcceptsExactlyWhatTheClientSends(_ url: String) {
        let sendable = (try? RequestTarget(url: url)) != nil
        let accepted = (try? RouteAdmin.validate(url: url, secret: nil)) != nil
        #expect(accepted == sendable, "\(url): routes set \(accepted ? "accepts" : "refuses"), the client \(sendable ? "sends" : "refuses")")
    }
}
