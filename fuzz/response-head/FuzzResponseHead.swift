// libFuzzer target for the client's response-head reading (Transport's ResponseHeadParser behind
// HeadParseGate, over CHTTPParser): byte 0 picks a feed step (1-16 bytes) and small limits; the
// rest is fed as a growing buffer, as reads would deliver it. Invariants: the gate never hides a
// complete head (what it calls incomplete, one-shot parsing does not call complete); a head it
// completes is the one one-shot parsing finds; the C parser runs at most once per line feed plus
// once per limit crossing (linear in the input, not quadratic).
import CHTTPParser

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let step = 1 + Int(data[0] & 15)
    let small = data[0] & 16 != 0
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let parser = small ? ResponseHeadParser(maxHeaderBytes: 256, maxBodyBytes: 100) : ResponseHeadParser()
    var end = 0
    while end < input.count {
        end = min(input.count, end + step)
        let prefix = UnsafeRawBufferPointer(rebasing: input[..<end])
        let direct = oneShot(prefix, limits: parser.limits)
        switch parser.parseResponse(prefix, requestWasHead: false) {
        case .incomplete:
            precondition(direct <= 0, "the gate hid a complete head")
        case .complete(let consumed, _):
            precondition(direct == consumed, "gate and one-shot parse disagree on the head's length")
            return 0
        case .error:
            precondition(direct == Int(CHTTP_ERROR), "gate reported an error one-shot parsing does not")
            return 0
        }
    }
    let lineFeeds = input.filter { $0 == 0x0A }.count
    precondition(parser.parserRuns <= lineFeeds + 2, "parser ran \(parser.parserRuns) times for \(lineFeeds) line feeds")
    return 0
}

private func oneShot(_ bytes: UnsafeRawBufferPointer, limits: chttp_limits) -> Int {
    var limits = limits
    let headers = UnsafeMutablePointer<chttp_header>.allocate(capacity: ResponseHeadParser.headerCapacity)
    defer { headers.deallocate() }
    var msg = chttp_message()
    msg.headers = headers
    msg.num_headers = ResponseHeadParser.headerCapacity
    return Int(chttp_parse_response(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, &limits, 0, &msg))
}
