import Testing
@testable import Transport

@Suite struct IPNetworkTests {
    @Test func parsesBlocksAndSingleHosts() throws {
        #expect(try IPNetwork(parsing: "127.0.0.1/32").description == "127.0.0.1/32")
        #expect(try IPNetwork(parsing: " 10.0.0.0/8 ").description == "10.0.0.0/8")
        #expect(try IPNetwork(parsing: "127.0.0.1").description == "127.0.0.1/32")
        #expect(try IPNetwork(parsing: "::1").description == "::1/128")
        #expect(try IPNetwork(parsing: "[::1]/128").description == "::1/128")
        #expect(try IPNetwork(parsing: "fd00::/8").description == "fd00::/8")
        #expect(try IPNetwork(parsing: "0.0.0.0/0").description == "0.0.0.0/0")
        #expect(try IPNetwork(parsing: "::/0").description == "::/0")
        #expect(try IPNetwork(parsing: "2001:db8::/33").description == "2001:db8::/33")
    }

    @Test(arguments: ["", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
                      "10.1.2.3/8", "fd00::1/8", "127.1/32", "2130706433", "0x7f.0.0.1", "010.0.0.0/8", "localhost", "10.0.0.0/ 8"])
    func refusesWhatIsNotAFullyWrittenBlock(_ text: String) {
        #expect(throws: IPNetwork.ParseError.self) { try IPNetwork(parsing: text) }
    }

    @Test func hostBitsErrorSuggestsTheBlock() {
        #expect(throws: IPNetwork.ParseError(text: "10.1.2.3/8", problem: "host bits are set (did you mean 10.0.0.0/8?)")) {
            try IPNetwork(parsing: "10.1.2.3/8")
        }
    }

    @Test func containsByPrefix() throws {
        let v4 = try IPNetwork(parsing: "172.16.0.0/12")
        #expect(v4.contains(try #require(IPAddress("172.31.255.255"))))
        #expect(!v4.contains(try #require(IPAddress("172.32.0.0"))))
        #expect(!v4.contains(try #require(IPAddress("::ffff:172.16.0.1"))))  // families never mix here
        let v6 = try IPNetwork(parsing: "2001:db8:8000::/33")
        #expect(v6.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db8:7fff::1"))))
        let low = try IPNetwork(parsing: "::1:0:0/96")
        #expect(low.contains(try #require(IPAddress("::1:0:5"))))
        #expect(!low.contains(try #require(IPAddress("::2:0:5"))))
        let host = try IPNetwork(parsing: "fe80::1")
        #expect(host.contains(try #require(IPAddress("fe80::1"))))
        #expect(!host.contains(try #require(IPAddress("fe80::2"))))
    }
}
