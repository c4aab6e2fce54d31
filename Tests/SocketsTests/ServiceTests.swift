import Sockets
import Testing

@Suite struct ServiceTests {
    @Test func numbersComeFirst() throws {
        #expect(try Service.port("80") == 80)
        #expect(try Service.port("0") == 0)
        #expect(try Service.port("65535") == 65535)
        #expect(try Service.port("0080") == 80)
    }

    @Test func namesAreLookedUpPerProtocol() throws {
        #expect(try Service.port("http", protocol: .tcp) == 80)
        #expect(try Service.port("domain", protocol: .udp) == 53)
        #expect(try Service.port("ssh") == 22)
        #expect(Service.name(ofPort: 80, protocol: .tcp) == "http")
        #expect(Service.name(ofPort: 53, protocol: .udp) == "domain")
        #expect(Service.name(ofPort: 1, protocol: .udp) == nil || Service.name(ofPort: 1, protocol: .udp) != "")
    }

    @Test(arguments: [
        ("", "empty port"), ("-1", "unknown service"), ("65536", "out of range"),
        ("80x", "unknown service"), ("nosuchservice", "unknown service"), ("99999999999", "out of range"),
        ("ht\0tp", "NUL"),
    ])
    func badPortsGetClearErrors(_ text: String, _ expected: String) {
        #expect {
            try Service.port(text)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .resolution(.service) && error.description.contains(expected)
                && error.operation == "service lookup"
        }
    }

    @Test func manyThreadsLookUpAtOnce() async throws {
        try await withThrowingTaskGroup(of: UInt16.self) { group in
            for index in 0..<64 {
                group.addTask { try Service.port(index.isMultiple(of: 2) ? "http" : "https") }
            }
            for try await port in group { #expect(port == 80 || port == 443) }
        }
    }
}
