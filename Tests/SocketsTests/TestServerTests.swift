import Sockets
import SocketsTesting
import Testing

@Suite struct TestServerTests {
    @Test func echoSendsBackWhatArrives() throws {
        let server = try TestServer.echo()
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.seconds(5))
        let bytes = TestPattern.bytes(count: 100_000, seed: 2)
        try socket.sendAll(bytes)
        try socket.shutdown(.write)
        var back: [UInt8] = []
        var buffer = ReceiveBuffer(capacity: 8192)
        _ = try socket.receiveAll(using: &buffer) { chunk in chunk.withUnsafeBytes { back += $0 } }
        try server.wait()
        #expect(back == bytes)
        #expect(server.connectionsAccepted == 1)
    }

    @Test func dripSendsOneByteAtATime() throws {
        let server = try TestServer.drip(bytes: 20, every: .milliseconds(50))
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.seconds(5))
        var buffer = ReceiveBuffer(capacity: 64)
        var received: [UInt8] = []
        var chunks = 0
        _ = try socket.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { received += $0 }
            chunks += 1
        }
        try server.wait()
        #expect(received == TestPattern.bytes(count: 20))
        #expect(chunks > 1)
    }

    @Test func serversRefuseToListenOffLoopback() {
        #expect(throws: SocketError.self) { try TestServer.source(bytes: 1, on: .ipv4(.any, port: 0)) }
        #expect(throws: SocketError.self) { try FullBacklogListener(on: .ipv6(.any, port: 0)) }
    }

    @Test func aServerWithNoClientStopsAtTheEndOfItsLifetime() throws {
        let server = try TestServer.source(bytes: 10, lifetime: .milliseconds(100))
        try server.wait(timeout: .seconds(10))
        #expect(server.connectionsAccepted == 0)
    }

    @Test func seededGeneratorsRepeat() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        #expect((0..<100).map { _ in first.next() } == (0..<100).map { _ in second.next() })
    }
}
