// The fault suite: real sockets on loopback, each fault produced for real.

import CTestSupport
import Foundation
@testable import Sockets
import SocketsTesting
import Testing

/// A value shared with a test server's thread.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

@Suite struct FaultTests {
    @Test func resetMidStreamSaysSoAfterDeliveringTheBytesBeforeIt() throws {
        // The server waits for a byte first: a reset that came while the client was still in
        // its connect call would fail the connect instead.
        let server = try TestServer.reset(after: 100_000)
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.seconds(10))
        try socket.sendAll([1])
        var buffer = ReceiveBuffer(capacity: 8192)
        var delivered = 0
        var intact = true
        #expect {
            _ = try socket.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: delivered) }
                delivered += chunk.byteCount
            }
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.connectionReset) && error.description.contains("reset")
        }
        #expect(delivered == 100_000 && intact)
    }

    @Test func aStallTimesOutAtTheDeadlineNotBefore() throws {
        let server = try TestServer.silent(lifetime: .seconds(20))
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.milliseconds(300))
        try MockingDriver.withMocking { driver in
            #expect {
                _ = try socket.receive(maxCount: 100)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .timeout && error.reason == "timed out after 0.3 seconds"
            }
            // The order of events, not the time: one recv that would block, then only waits,
            // the last of which ran out (a wait that ended early would be followed by a recv).
            let io = driver.trace.filter { $0 == "recv" || $0 == "poll" }
            #expect(io.first == "recv" && driver.count(of: "recv") == 1)
            #expect(io.dropFirst().allSatisfy { $0 == "poll" } && driver.count(of: "poll") >= 1)
        }
    }

    @Test func peerHalfCloseLetsBothDirectionsFinish() throws {
        let counted = Shared(-1)
        let server = try TestServer.halfClose(bytes: 100_000) { counted.value = $0 }
        var socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setTimeout(.seconds(10))
        var buffer = ReceiveBuffer(capacity: 4096)
        #expect(try socket.receiveAll(using: &buffer) { _ in } == 100_000)
        // The peer closed its side; ours still sends.
        try socket.sendAll(TestPattern.bytes(count: 5000))
        try socket.shutdown(.write)
        try server.wait()
        #expect(counted.value == 5000)
    }

    @Test func aTinySendBufferForcesPartialWritesAndEveryByteArrives() throws {
        let result = Shared((count: 0, intact: false))
        let total = 8 << 20
        // Bounded, but generous: under ThreadSanitizer 8 MiB through a 1 KiB buffer is slow.
        let server = try TestServer.sink(seed: 4, lifetime: .seconds(600)) { result.value = ($0, $1) }
        let socket = try Socket.connected(to: server.address, timeout: .seconds(5))
        try socket.setSendBufferSize(1024)
        try socket.sendAll(TestPattern.bytes(count: total, seed: 4))
        try socket.shutdown(.write)
        try server.wait()
        #expect(result.value.count == total && result.value.intact)
    }

    @Test func aSignalStormLosesNothing() throws {
        let total = 8 << 20
        let source = try TestServer.source(bytes: total, seed: 6, lifetime: .seconds(600))
        let sunk = Shared((count: 0, intact: false))
        let sink = try TestServer.sink(seed: 7, lifetime: .seconds(600)) { sunk.value = ($0, $1) }
        let backlog = try FullBacklogListener()
        let storm = try #require(signal_storm_start(200))
        var signals: Int64 = 0
        defer { if signals == 0 { _ = signal_storm_stop(storm) } }

        // Blocking connect and receive under the storm: EINTR is retried, not reported.
        let receiver = try Socket.connected(to: source.address)
        var buffer = ReceiveBuffer(capacity: 1000)
        var offset = 0
        var intact = true
        let received = try receiver.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset, seed: 6) }
            offset += chunk.byteCount
        }
        // Blocking send-all with small writes.
        let sender = try Socket.connected(to: sink.address)
        try sender.setSendBufferSize(4096)
        try sender.sendAll(TestPattern.bytes(count: total, seed: 7))
        try sender.shutdown(.write)
        // A receive with a timeout: poll is interrupted too, and the wait goes on to its deadline.
        let drip = try TestServer.drip(bytes: 100, every: .milliseconds(1))
        var timed = try Socket.connected(to: drip.address, timeout: .seconds(5))
        try timed.setTimeout(.seconds(10))
        var dripped: [UInt8] = []
        var small = ReceiveBuffer(capacity: 16)
        _ = try timed.receiveAll(using: &small) { chunk in chunk.withUnsafeBytes { dripped += $0 } }
        // A connect that must time out, and nothing else, while signals keep coming.
        var timedOut = false
        do throws(SocketError) { _ = try Socket.connected(to: backlog.address, timeout: .milliseconds(200)) } catch {
            timedOut = error.kind == .timeout
        }
        signals = signal_storm_stop(storm)
        try sink.wait()
        #expect(signals > 10)
        #expect(received == total && intact)
        #expect(dripped == TestPattern.bytes(count: 100))
        #expect(sunk.value.count == total && sunk.value.intact)
        #expect(timedOut)
    }

    @Test func hugeAndEmptyBufferArgumentsGetClearErrors() throws {
        let socket = try Socket(.ipv4, .datagram)
        #expect(throws: SocketError.self) { try socket.receive(maxCount: Int.max) }
        #expect(throws: SocketError.self) { try socket.receiveFrom(maxCount: Int.max) }
        #expect(throws: SocketError.self) { try socket.receiveFrom(maxCount: -5) }
        #expect(throws: SocketError.self) {
            try socket.receiveFrom(into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
        }
    }
}
