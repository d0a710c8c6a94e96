import CHTTPParser
import Testing

@Suite("Error table")
struct ErrorTableTests {
    static let lastError = CHTTP_E_HEADER_LINE_TOO_LONG.rawValue

    @Test func everyErrorHasAUniqueNameAndAnAllowedStatus() {
        var names = Set<String>()
        for raw in 1...Self.lastError {
            let e = chttp_error(rawValue: raw)
            let name = String(cString: chttp_error_name(e))
            #expect(name != "unknown", "code \(raw)")
            #expect(names.insert(name).inserted, "duplicate name \(name)")
            #expect([400, 413, 414, 431, 501, 505].contains(chttp_error_status(e)), "\(name)")
        }
    }

    @Test func statusesFollowTheRFCs() {
        #expect(chttp_error_status(CHTTP_E_HEADERS_TOO_LARGE) == 431)
        #expect(chttp_error_status(CHTTP_E_TOO_MANY_HEADERS) == 431)
        #expect(chttp_error_status(CHTTP_E_LINE_TOO_LONG) == 414)
        #expect(chttp_error_status(CHTTP_E_BODY_TOO_LARGE) == 413)
        #expect(chttp_error_status(CHTTP_E_UNSUPPORTED_TRANSFER_CODING) == 501)
        #expect(chttp_error_status(CHTTP_E_UNSUPPORTED_VERSION) == 505)
        #expect(chttp_error_status(CHTTP_E_CL_AND_TE) == 400)
        #expect(String(cString: chttp_error_name(CHTTP_E_BAD_CONTENT_LENGTH)) == "bad_content_length")
    }

    @Test func unknownCodesAreSafe() {
        let e = chttp_error(rawValue: 9999)
        #expect(String(cString: chttp_error_name(e)) == "unknown")
        #expect(chttp_error_status(e) == 400)
    }
}
