import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import PismoJSON

/// Every input is placed flush against a PROT_NONE page, and every prefix is parsed: a read one
/// byte past the end (e.g. by the eight-byte string scan) would be a segfault here, not a
/// silent wrong answer in production.
@Suite struct JSONGuardPageTests {
    static let documents = [
        #"{"client_id":"acme-prod","event_type":"order.created","data":{"note":"caf\u00e9 \ud83d\ude00 \"q\"","n":[1,-2.5e+3,true,false,null]}}"#,
        "\"é€😀 long string without escapes to exercise the word-at-a-time scan\"",
        "[0,-0,1e10,123456789012345678901234567890,{},[],\"\"]",
        "  \t\r\n{ \"a\" : [ 1 , 2 ] }  ",
    ]

    @Test func noReadPastTheEndOfAnyPrefix() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let region = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else {
            Issue.record("mmap failed")
            return
        }
        defer { munmap(region, 2 * page) }
        #expect(mprotect(region + page, page, PROT_NONE) == 0)
        let guardStart = (region + page).assumingMemoryBound(to: UInt8.self)
        var accepted = 0
        for document in Self.documents {
            let bytes = Array(document.utf8)
            for length in 0...bytes.count {
                let start = guardStart - length
                bytes.withUnsafeBufferPointer { start.update(from: $0.baseAddress!, count: length) }
                if case .success(let tape) = JSONParser.run(UnsafeBufferPointer(start: start, count: length), maxDepth: 512) {
                    if length == bytes.count { accepted += 1 }
                    tape.base.deallocate()
                }
            }
        }
        #expect(accepted == Self.documents.count)
    }
}
