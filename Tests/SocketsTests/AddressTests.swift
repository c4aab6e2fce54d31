import Sockets
import Testing

@Suite struct AddressTests {
    @Test func parsesAndFormatsIPv4() throws {
        #expect(try SocketAddress("127.0.0.1") == .ipv4(IPv4Address(127, 0, 0, 1), port: 0))
        #expect(try SocketAddress("127.0.0.1:8080") == .ipv4(.loopback, port: 8080))
        #expect(try SocketAddress("10.1.2.3", port: 53).description == "10.1.2.3:53")
        #expect(IPv4Address("255.255.255.255")?.rawValue == 0xFFFF_FFFF)
        #expect(IPv4Address("1.2.3") == nil)
        #expect(IPv4Address.loopback.description == "127.0.0.1")
    }

    @Test func parsesAndFormatsIPv6() throws {
        #expect(try SocketAddress("::1") == .ipv6(.loopback, port: 0))
        #expect(try SocketAddress("[::1]:8080") == .ipv6(.loopback, port: 8080))
        #expect(try SocketAddress("[::1]:8080").description == "[::1]:8080")
        #expect(try SocketAddress("[fe80::1%7]:80") == .ipv6(IPv6Address("fe80::1")!, port: 80, scopeID: 7))
        #expect(try SocketAddress("[fe80::1%7]:80").description == "[fe80::1%7]:80")
        #expect(IPv6Address("2001:db8::1")?.description == "2001:db8::1")
        #expect(IPv6Address("::ffff:127.0.0.1")?.mappedIPv4 == .loopback)
        #expect(IPv6Address(bytes: IPv6Address.loopback.bytes) == .loopback)
        #expect(IPv6Address(bytes: [1, 2, 3]) == nil)
    }

    @Test(arguments: ["", "localhost", "1.2.3.4.5", "[::1", "[::1]x", "[127.0.0.1]:80",
                      "::1::2", "[fe80::1%nosuchif0]:1", "300.1.1.1", "1.2.3.4:"])
    func refusesText(_ text: String) {
        #expect {
            try SocketAddress(text)
        } throws: { error in
            guard let error = error as? SocketError, error.kind.isResolution else { return false }
            return error.description.contains("parse address")
        }
    }

    @Test(arguments: ["127.0.0.1:65536", "[::1]:-1", "127.0.0.1:http"])
    func refusesBadPortInText(_ text: String) {
        #expect(throws: SocketError.self) { try SocketAddress(text) }
    }

    @Test func reportsFamilyPortAndLoopback() throws {
        let v4 = try SocketAddress("127.0.0.2:1")
        #expect(v4.family == .ipv4 && v4.port == 1 && v4.isLoopback)
        let v6 = SocketAddress.ipv6(.loopback, port: 2)
        #expect(v6.family == .ipv6 && v6.withPort(9).port == 9 && v6.isLoopback)
        let path = SocketAddress.unix(path: "/tmp/x.sock")
        #expect(path.family == .unix && path.port == nil && path.description == "/tmp/x.sock")
        #expect(!(try SocketAddress("192.0.2.1")).isLoopback)
    }
}
