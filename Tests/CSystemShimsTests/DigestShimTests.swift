import CSystemShims
import Glibc
import Testing

/// The digest shims keep per-thread contexts and remember the last HMAC key; these check that the
/// reuse never leaks one call's state into the next.
@Suite struct DigestShimTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    static func sha256(_ data: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        chttp_sha256(data, data.count, &out)
        return hex(out)
    }

    static func md5(_ data: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        chttp_md5(data, data.count, &out)
        return hex(out)
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        chttp_hmac_sha256(key, key.count, message, message.count, &out)
        return hex(out)
    }

    // RFC 4231 cases 1, 2 and 6 (a 131-byte key, longer than the block, which is hashed first).
    static let case1 = (key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8),
                        mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    static let case2 = (key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
                        mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    static let case6 = (key: [UInt8](repeating: 0xaa, count: 131),
                        message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                        mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")

    @Test func sha256AndMD5MatchPublishedValues() {
        #expect(Self.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.md5(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Self.md5([]) == "d41d8cd98f00b204e9800998ecf8427e")
    }

    @Test func hmacIsRightWhateverKeyCameBefore() {
        // Same key twice (the remembered-key path), a different key, the first again, a key too
        // long to remember twice, an empty key after a non-empty one.
        let sequence = [Self.case1, Self.case1, Self.case2, Self.case1, Self.case6, Self.case6, Self.case2]
        for vector in sequence {
            #expect(Self.hmac(vector.key, vector.message) == vector.mac)
        }
        #expect(Self.hmac([], []) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(Self.hmac(Self.case2.key, Self.case2.message) == Self.case2.mac)
        #expect(Self.hmac([], []) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func keysThatShareAPrefixAreDifferentKeys() {
        let long = Array("Jefe!".utf8)
        let expected = Self.hmac(long, Self.case2.message)
        #expect(Self.hmac(Self.case2.key, Self.case2.message) == Self.case2.mac)
        #expect(Self.hmac(long, Self.case2.message) == expected)
        #expect(expected != Self.case2.mac)
    }

    @Test func threadsEachGetTheirOwnContexts() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ok = true
                    for i in 0..<500 {
                        let vector = (worker + i) % 2 == 0 ? Self.case1 : Self.case2
                        ok = ok && Self.hmac(vector.key, vector.message) == vector.mac
                        ok = ok && Self.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                    }
                    return ok
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test func contextsAreFreedAndRecreatedAcrossThreadExits() {
        // Each pthread creates its contexts on first use and frees them when it exits.
        for _ in 0..<20 {
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { _ in
                let vector = DigestShimTests.case1
                return DigestShimTests.hmac(vector.key, vector.message) == vector.mac ? UnsafeMutableRawPointer(bitPattern: 1) : nil
            }, nil)
            #expect(started == 0)
            var result: UnsafeMutableRawPointer?
            pthread_join(thread, &result)
            #expect(result != nil)
        }
    }
}
