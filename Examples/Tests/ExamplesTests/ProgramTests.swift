// Each example program run as a user would run it, against loopback peers: what it prints,
// and its exit code for each kind of failure. Every child is bounded in time and ended by its
// pid.

import Foundation
import Sockets
import SocketsTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs example `name` with `arguments` to the end (at most 60 s).
func run(_ name: String, _ arguments: [String]) throws -> ChildResult {
    try runChild(builtExecutable(name), arguments, timeout: 60)
}

extension ChildResult {
    var text: String { String(decoding: standardOutput, as: UTF8.self) }
}

/// A loopback port with nothing listening on it (bound, noted and closed).
func closedPort() throws -> UInt16 {
    let probe = try Socket(.ipv4, .stream)
    try probe.bind(to: .ipv4(.loopback, port: 0))
    let port = try probe.localAddress.port!
    try probe.close()
    return port
}

@Suite struct HTTPGetTests {
    @Test func itStreamsTheReply() throws {
        let reply = "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello, world"
        let server = try TestServer.http(reply: reply, connections: 1)
        let result = try run("http-get", ["127.0.0.1", "\(server.address.port!)", "/index.html"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.text == reply)
    }

    @Test func eachKindOfFailureHasItsOwnCode() throws {
        let refused = try run("http-get", ["127.0.0.1", "\(try closedPort())"])
        #expect(refused.status == 4 && refused.standardError.contains("connection failed")
                && refused.standardError.contains("Connection refused"), "\(refused.standardError)")
        let service = try run("http-get", ["127.0.0.1", "nosuchservice"])
        #expect(service.status == 2 && service.standardError.contains("port lookup failed"), "\(service.standardError)")
        let host = try run("http-get", ["nosuchhost.invalid", "80"])
        #expect(host.status == 3 && host.standardError.contains("address resolution failed"), "\(host.standardError)")
        let silent = try TestServer.silent()
        let timeout = try run("http-get", ["127.0.0.1", "\(silent.address.port!)"])
        #expect(timeout.status == 5 && timeout.standardError.contains("timed out while receiving"), "\(timeout.standardError)")
        let reset = try TestServer.reset(after: 1000)
        let cut = try run("http-get", ["127.0.0.1", "\(reset.address.port!)"])
        #expect(cut.status == 7 && cut.standardError.contains("after 1000 bytes"), "\(cut.standardError)")
        #expect(cut.standardOutput.count == 1000)
        for bad in [["localhost"], ["localhost", "80", "no-slash"], ["a", "b", "/c", "d"]] {
            let usage = try run("http-get", bad)
            #expect(usage.status == 64 && usage.standardError.hasPrefix("http-get: "), "\(bad): \(usage.standardError)")
        }
    }
}

@Suite struct EchoServerTests {
    /// Starts the server, echoes over two connections, then SIGINT with one still open: it
    /// stops accepting, reports the open one, and exits 0 once that one closes.
    @Test func itEchoesAndStopsGracefullyOnSIGINT() throws {
        let output = TemporaryFile(), errors = TemporaryFile()
        let pid = try spawnChild(builtExecutable("echo-server"), [], output: output.path, error: errors.path)
        var reaped = false
        defer { if !reaped { _ = waitForChild(pid, timeout: 0) } }  // Kills it (by pid) if a check failed early.
        let printed = { (try? String(contentsOfFile: output.path, encoding: .utf8)) ?? "" }
        let deadline = ContinuousClock.now + .seconds(30)
        while !printed().contains("\n"), ContinuousClock.now < deadline { usleep(10_000) }
        let line = printed().split(separator: "\n").first.map(String.init) ?? ""
        let address = try SocketAddress(String(line.dropFirst("listening on ".count)))

        let first = try Socket.connected(to: address, timeout: .seconds(10))
        try first.sendAll(Array("hello".utf8))
        try first.shutdown(.write)
        #expect(try first.receiveAll(maxCount: 100) == Array("hello".utf8))  // Up to the server's close.

        let open = try Socket.connected(to: address, timeout: .seconds(10))
        let pattern = TestPattern.bytes(count: 200_000)
        try open.sendAll(pattern)
        var echoed: [UInt8] = []
        while echoed.count < pattern.count { echoed += try open.receive(maxCount: 65536) }
        #expect(echoed == pattern)

        kill(pid, SIGINT)
        while !printed().contains("stopping"), ContinuousClock.now < deadline { usleep(10_000) }
        #expect(printed().contains("stopping: 1 connection(s) open"), "\(printed())")
        // Still served after the signal, until it closes.
        try open.sendAll(Array("bye".utf8))
        #expect(try open.receive(maxCount: 3) == Array("bye".utf8))
        try open.close()
        let (status, _, timedOut) = waitForChild(pid, timeout: 30)
        reaped = true
        #expect(!timedOut && status == 0, "\(printed()) \((try? String(contentsOfFile: errors.path, encoding: .utf8)) ?? "")")
        #expect(printed().hasSuffix("stopped\n"))
    }
}

@Suite struct UDPPingTests {
    @Test func everyDatagramComesBackWithItsMetadata() throws {
        let result = try run("udp-ping", ["40", "1200", "2"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.text.contains("every datagram came back in every round"), "\(result.text)")
        #expect(result.text.contains("round 2: 40 of 40 back"), "\(result.text)")
        #expect(result.text.contains("sent to 127.0.0.1 on interface 1"), "\(result.text)")
        #expect(result.text.contains("ECN ECT(0)"), "\(result.text)")
    }

    @Test func badArgumentsExit64() throws {
        for bad in [["0"], ["65"], ["60", "2000"], ["x"], ["1", "2", "3", "4"], ["10", "100", "0"]] {
            let result = try run("udp-ping", bad)
            #expect(result.status == 64 && result.standardError.hasPrefix("udp-ping: "), "\(bad): \(result.standardError)")
        }
    }
}
