// What a user's own integration tests look like with SocketsTesting: the code under test is a
// small HTTP client (`fetch`), and each test gives it a real peer that behaves, or misbehaves
// on purpose: answers, resets mid-reply, never answers; on a test network (root only) a host
// that drops everything or refuses, across a real link.

import Sockets
import SocketsTesting
import Testing

/// The code under test: connects, sends a GET, returns the whole reply. Its socket gives up on
/// any one operation after `timeout`.
func fetch(_ address: SocketAddress, path: String = "/", timeout: Duration = .seconds(5)) throws(SocketError) -> [UInt8] {
    let socket = try Socket.connected(to: address, timeout: timeout)
    try socket.sendAll("GET \(path) HTTP/1.0\r\n\r\n".utf8)
    return try socket.receiveAll(maxCount: 1 << 20)
}

@Suite struct ClientOnLoopbackTests {
    @Test func aServerThatAnswersIsRead() throws {
        let server = try TestServer.http(reply: "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", connections: 1)
        let reply = try fetch(server.address)
        #expect(String(decoding: reply, as: UTF8.self).hasSuffix("\r\n\r\nhello"))
        try server.wait()
    }

    @Test func aResetMidReplyIsAnErrorThatSaysHowMuchArrived() throws {
        // 100,000 bytes of TestPattern, then a reset: the client learns of it as an error, and
        // the error says how many bytes came before it.
        let server = try TestServer.reset(after: 100_000)
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.seconds(5))
        try socket.sendAll("GET / HTTP/1.0\r\n\r\n".utf8)
        var buffer = ReceiveBuffer(capacity: 16384)
        var received = 0
        let error = #expect(throws: SocketError.self) {
            _ = try socket.receiveAll(using: &buffer) { chunk in received += chunk.byteCount }
        }
        #expect(error?.kind == .system(.connectionReset))
        #expect(error?.bytesTransferred == received && received == 100_000)
    }

    @Test func aServerThatNeverAnswersIsATimeoutNotAHang() throws {
        let server = try TestServer.silent()
        let error = #expect(throws: SocketError.self) {
            _ = try fetch(server.address, timeout: .milliseconds(300))
        }
        #expect(error?.kind == .timeout)
    }

    @Test func nothingListeningIsRefused() throws {
        // A port that was just free: bind one, note its number, close it.
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let address = try probe.localAddress
        try probe.close()
        let error = #expect(throws: SocketError.self) { _ = try fetch(address) }
        #expect(error?.kind == .system(.connectionRefused))
    }
}

/// Across a real link between two network namespaces (root, `ip`, `nft` and `tc`; skipped with
/// one line otherwise, as `TestNetwork.unavailableReason` says).
@Suite(.enabled(if: TestNetwork.unavailableReason == nil, Comment(rawValue: TestNetwork.unavailableReason ?? "")))
struct ClientOnATestNetworkTests {
    @Test func aServerAcrossTheLinkAnswers() throws {
        let network = try TestNetwork()
        let server = try network.within(.server) {
            try TestServer.http(connections: 1, on: network.address(.server, .ipv4))
        }
        let reply = try network.within(.client) { () throws(SocketError) in try fetch(server.address) }
        #expect(String(decoding: reply, as: UTF8.self).hasSuffix("hello"))
    }

    @Test func aHostThatDropsEverythingTimesOut() throws {
        let network = try TestNetwork()
        try network.impair(.blackHole(nil))
        let error = #expect(throws: SocketError.self) {
            _ = try network.within(.client) { () throws(SocketError) in
                try fetch(network.address(.server, .ipv4, port: 80), timeout: .milliseconds(500))
            }
        }
        #expect(error?.kind == .timeout)
    }

    @Test func aHostThatRejectsIsRefused() throws {
        let network = try TestNetwork()
        try network.impair(.unreachable(port: 80, host: false))
        let error = #expect(throws: SocketError.self) {
            _ = try network.within(.client) { () throws(SocketError) in
                try fetch(network.address(.server, .ipv4, port: 80), timeout: .seconds(5))
            }
        }
        #expect(error?.kind == .system(.connectionRefused))
    }
}
