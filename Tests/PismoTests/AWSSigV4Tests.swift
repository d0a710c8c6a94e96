import Testing
import Transport
@testable import Pismo

@Suite("SigV4 canonicalisation and signing")
struct AWSSigV4Tests {
    @Test func queryIsSortedEncodedAndKeepsEmptyAndRepeatedKeys() {
        #expect(CanonicalRequest.canonicalQuery("b=2&a=&c") == "a=&b=2&c=")
        #expect(CanonicalRequest.canonicalQuery("k=2&k=1&k=10") == "k=1&k=10&k=2")
        #expect(CanonicalRequest.canonicalQuery("Z=1&a=1") == "Z=1&a=1", "byte order: upper case first")
        #expect(CanonicalRequest.canonicalQuery("a+b=c d&s=x/y") == "a%2Bb=c%20d&s=x%2Fy")
        #expect(CanonicalRequest.canonicalQuery("%e1%88%b4=%7e") == "%E1%88%B4=~", "escapes normalised")
        #expect(CanonicalRequest.canonicalQuery("&&x=1&") == "x=1", "empty pieces dropped")
    }

    @Test func pathIsDoubleEncodedAndNormalised() {
        #expect(CanonicalRequest.canonicalURI(path: "", normalize: true) == "/")
        #expect(CanonicalRequest.canonicalURI(path: "/a%20b", normalize: false) == "/a%2520b")
        #expect(CanonicalRequest.canonicalURI(path: "/a/./b/../c//", normalize: true) == "/a/c/")
        #expect(CanonicalRequest.canonicalURI(path: "/a/./b/../c//", normalize: false) == "/a/./b/../c//")
        #expect(CanonicalRequest.canonicalURI(path: "/../..", normalize: true) == "/")
        #expect(CanonicalRequest.canonicalURI(path: "/é~$", normalize: true) == "/%C3%A9~%24")
    }

    @Test func headersAreLowercasedTrimmedCollapsedAndGrouped() {
        let (block, signed) = CanonicalRequest.canonicalHeaders([
            ("X-B", "  two   words \t here "), ("host", "h"), ("x-b", "second"), ("X-A", "\"q  q\""),
        ])
        #expect(block == "host:h\nx-a:\"q q\"\nx-b:two words here,second\n")
        #expect(signed == "host;x-a;x-b")
    }

    @Test func signingKeyMatchesPublishedExampleAndIsCached() {
        // AWS General Reference "Examples of how to derive a signing key for Signature Version 4".
        let key = SigningKeyCache.derive(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         date: "20120215", region: "us-east-1", service: "iam")
        #expect(Hex.encode(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        let cache = SigningKeyCache(capacity: 2)
        _ = cache.signingKey(secret: "s", date: "20240101", region: "r", service: "x")
        _ = cache.signingKey(secret: "s", date: "20240101", region: "r", service: "x")
        #expect(cache.count == 1)
        _ = cache.signingKey(secret: "s", date: "20240102", region: "r", service: "x")
        _ = cache.signingKey(secret: "s", date: "20240103", region: "r", service: "x")
        #expect(cache.count <= 2, "bounded")
    }

    @Test func timestampsFormatAndParse() {
        let t = AWSTimestamp(secondsSince1970: 1_440_938_160)
        #expect(t.amzDate == "20150830T123600Z")
        #expect(t.scopeDate == "20150830")
        #expect(AWSTimestamp(parsing: "2015-08-30T12:36:00Z") == t)
        #expect(AWSTimestamp(parsing: "2015-08-30T12:36:00.123Z")?.secondsSince1970 == 1_440_938_160)
        #expect(AWSTimestamp(parsing: "20150830T123600Z") == t)
        #expect(AWSTimestamp(secondsSince1970: 951_782_400).scopeDate == "20000229")
        #expect(AWSTimestamp(parsing: "nonsense") == nil)
    }

    @Test func digestsMatchKnownVectors() {
        #expect(Digests.crc32(Array("{}".utf8)) == 2_745_614_147)
        #expect(Hex.encode(Digests.md5(Array("my mesage".utf8))) == "f543352d5773ba2530f769bc8edcf94a")
        #expect(Hex.encode(Digests.sha256([UInt8]())) == SigV4Signer.emptyPayloadHash)
        #expect(Hex.encode(Digests.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")  // FIPS 180-2, two blocks
        #expect(Hex.encode(Digests.md5([UInt8](repeating: 0x61, count: 1000))) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block is hashed first), plus a key of
    /// exactly one block, which is used as it is: our HMAC is built on the low-level digest API.
    @Test(arguments: [
        ([UInt8](repeating: 0x0B, count: 20), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xAA, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xAA, count: 64), "exactly one block of key",
         "6b86dff4b91fe689c94291f9648c1f7cea871c24c0aaee8b7b0f295528e85fe3"),
    ])
    func hmacMatchesPublishedVectors(key: [UInt8], message: String, expected: String) {
        #expect(Hex.encode(Digests.hmacSHA256(key: key, message: Array(message.utf8))) == expected)
    }

    @Test func signingAJSONRequestSetsHeadersAndSignsTheToken() {
        let signer = SigV4Signer(service: "dynamodb", region: "eu-west-1")
        let creds = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN")
        var request = HTTPRequest(method: "POST", url: "http://127.0.0.1:4566/",
                                  headers: HTTPHeaders([("X-Amz-Target", "DynamoDB_20120810.GetItem"),
                                                        ("User-Agent", "pismo")]),
                                  body: Array("{}".utf8))
        let t = AWSTimestamp(secondsSince1970: 1_700_000_000)
        let result = signer.sign(&request, credentials: creds, time: t)
        #expect(request.headers["Host"] == "127.0.0.1:4566")
        #expect(request.headers["X-Amz-Date"] == "20231114T221320Z")
        #expect(request.headers["X-Amz-Security-Token"] == "TOKEN")
        #expect(result.signedHeaders == "host;x-amz-date;x-amz-security-token;x-amz-target", "user-agent never signed")
        #expect(request.headers["Authorization"]?.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-west-1/dynamodb/aws4_request, SignedHeaders=") == true)
        // Re-signing the signed request (a retry) replaces, never duplicates, the auth headers.
        var again = request
        let second = signer.sign(&again, credentials: creds, time: t)
        #expect(second.signature == result.signature)
        #expect(again.headers.values("Authorization").count == 1)
    }

    @Test func signingSplitsTheURLAsTheClientDoes() {
        let u = RequestTarget(signing: "https://sqs.us-east-1.amazonaws.com:443/123/q?x=1")
        #expect(u?.host == "sqs.us-east-1.amazonaws.com")
        #expect(u?.hostHeader == "sqs.us-east-1.amazonaws.com")
        #expect(u?.pathOnly == "/123/q")
        #expect(u?.query == "x=1")
        #expect(RequestTarget(signing: "http://[::1]:5000")?.hostHeader == "[::1]:5000")
        #expect(RequestTarget(signing: "http://[::1]:5000")?.pathOnly == "/")
        #expect(RequestTarget(signing: "not a url") == nil)
        #expect(RequestTarget(signing: "http://h?x=1")?.pathOnly == "/")
        #expect(RequestTarget(signing: "http://h?x=1")?.query == "x=1")
        #expect(RequestTarget(signing: "HTTP://h:80/a")?.hostHeader == "h", "scheme case and default port")
        #expect(RequestTarget(signing: "http://[fd00:ec2::254]/latest")?.host == "fd00:ec2::254")
        #expect(RequestTarget(signing: "http://[fd00:ec2::254]/latest")?.hostHeader == "[fd00:ec2::254]")
        // Signing hashes a path as given; the client would refuse to send it.
        #expect(RequestTarget(signing: "http://h/a b")?.pathOnly == "/a b")
        #expect(throws: HTTPClientError.invalidURL("http://h/a b")) { try RequestTarget(url: "http://h/a b") }
    }
}
