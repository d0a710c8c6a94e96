import CSystemShims
import Testing
@testable import Transport

@Suite struct TLSSessionCacheTests {
    @Test func keepsTheNewestSessionPerKeyAndEvictsTheOldestKeyWhenFull() throws {
        let cache = TLSSessionCache(capacity: 2)
        for key in ["a:443", "b:443", "a:443", "c:443"] {
            let session = try #require(SSL_SESSION_new())
            cache.store(session, key: key)
        }
        // "a" was refreshed after "b", so "b" is the oldest when "c" arrives.
        #expect(cache.count == 2)
        #expect(cache.contains(key: "a:443"))
        #expect(!cache.contains(key: "b:443"))
        #expect(cache.contains(key: "c:443"))
        cache.remove(key: "a:443")
        #expect(cache.count == 1)
    }

    @Test func resumptionCanBeDisabled() throws {
        let context = try TLSContext(client: TLSClientConfiguration(sessionCacheCapacity: 0))
        #expect(context.sessionCache == nil)
    }
}
