import Foundation
@testable import Sockets
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

    /// A process out of descriptors for a moment (here: every one taken, in a child process of
    /// its own) must not end a test server: it waits the shortage out and then serves, where it
    /// once closed its listener and every later connect was refused. The child reports what went
    /// wrong on its standard error.
    @Test func aServerOutOfDescriptorsForAMomentServesAfterwards() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            do {
                try echoAfterADescriptorShortage()
            } catch {
                FileHandle.standardError.write(Data("\(error)".utf8))
            }
        }
        let message = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }
        #expect(message == "", "\(message ?? "")")
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

/// Connects to an echo server while every descriptor of this process is taken (under a low
/// limit), so the server's `accept` fails with `EMFILE`; frees them after 300 ms and expects
/// the echo. Throws what went wrong.
private func echoAfterADescriptorShortage() throws {
    let server = try TestServer.echo(lifetime: .seconds(20))
    var socket = try Socket(.ipv4, .stream)
    try socket.setTimeout(.seconds(10))
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    var low = limit
    low.rlim_cur = 256
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &low)
    var taken: [Int32] = []
    while case let copy = dup(2), copy >= 0 { taken.append(copy) }
    let stopped = errno
    defer {
        for copy in taken { close(copy) }
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    guard stopped == EMFILE else { throw Errno(rawValue: stopped) }
    try socket.connect(to: server.address, timeout: .seconds(10))
    try socket.sendAll([42])
    sleepThread(.milliseconds(300))  // The server wakes, its accept fails with EMFILE, it waits.
    for copy in taken { close(copy) }
    taken = []
    let reply = try socket.receive(maxCount: 1)
    guard reply == [42] else { throw SocketError(.timeout, operation: "echo", detail: "the server answered \(reply)") }
}
