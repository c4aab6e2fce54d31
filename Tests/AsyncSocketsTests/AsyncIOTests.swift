// The async layer against real loopback sockets: data, faults, timeouts, cancellation, scale.
// Every wait is bounded: servers have lifetimes, sockets have timeouts, and tests that wait for a
// suspension give up after seconds, not never.

@testable import AsyncSockets
import Sockets
import SocketsTesting
import Foundation
import Testing

/// Waits until `condition` holds, checking every millisecond, for at most `limit`: a bound for
/// a test that fails, generous because the reactor is shared with every test running alongside
/// (slow under the sanitizers, on a loaded machine).
func eventually(_ limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: limit)
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}

@Suite struct AsyncIOTests {
    @Test(arguments: [SocketAddress.ipv4(.loopback, port: 0), .ipv6(.loopback, port: 0)])
    func echoRoundTripOverAnAsyncListener(_ loopback: SocketAddress) async throws {
        try await onReactor {
            let listener = try AsyncSocket.listening(on: loopback)
            let address = try listener.localAddress
            async let served: Int = {
                let connection = try await listener.accept()
                var buffer = ReceiveBuffer(capacity: 4096)
                var echoed = 0
                while true {
                    buffer.removeAll()
                    let count = try await connection.receive(into: &buffer)
                    if count == 0 { return echoed }
                    let bytes = buffer.withBytes { span in span.withUnsafeBytes { Array($0) } }
                    try await connection.sendAll(bytes)
                    echoed += count
                }
            }()
            let client = try await AsyncSocket.connected(to: address, timeout: .seconds(120))
            let message = TestPattern.bytes(count: 100_000)
            async let sent: Void = client.sendAll(message)
            var back: [UInt8] = []
            var buffer = ReceiveBuffer(capacity: 65536)
            while back.count < message.count {
                buffer.removeAll()
                let count = try await client.receive(into: &buffer)
                #expect(count > 0)
                if count == 0 { break }
                buffer.withBytes { span in span.withUnsafeBytes { back += $0 } }
            }
            try await sent
            try client.shutdown(.write)
            #expect(back == message)
            #expect(try await served == message.count)
        }
    }

    @Test func receiveLoopChecksumsAStream() async throws {
        try await onReactor {
            let server = try TestServer.source(bytes: 4 << 20, connections: 1, lifetime: .seconds(300))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            var offset = 0
            var intact = true
            let total = try await socket.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset) }
                offset += chunk.byteCount
            }
            #expect(total == 4 << 20 && intact)
        }
    }

    @Test func receiveAllReturnsAShortReply() async throws {
        try await onReactor {
            let server = try TestServer.source(bytes: 1000, connections: 1, lifetime: .seconds(30))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            let reply = try await socket.receiveAll(maxCount: 1 << 20)
            #expect(reply == TestPattern.bytes(count: 1000))
        }
    }

    @Test func refusedConnectIsTyped() async throws {
        try await onReactor {
            let closed = try closedLoopbackPort()
            await #expect {
                _ = try await AsyncSocket.connected(to: closed, timeout: .seconds(120))
            } throws: { ($0 as? SocketError)?.kind == .system(.connectionRefused) }
        }
    }

    @Test func aResetMidStreamDeliversEveryByteBeforeIt() async throws {
        try await onReactor {
            let server = try TestServer.reset(after: 50_000, waitForRequest: true)
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            try await socket.sendAll([1])
            var buffer = ReceiveBuffer(capacity: 4096)
            var received = 0
            await #expect {
                _ = try await socket.receiveAll(using: &buffer) { chunk in received += chunk.byteCount }
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .system(.connectionReset) && error.bytesTransferred == 50_000
            }
            #expect(received == 50_000)
        }
    }

    @Test func aStallTimesOut() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(120))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .milliseconds(200))
            await #expect {
                _ = try await socket.receive(maxCount: 10)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .timeout && error.operation == "recv"
            }
        }
    }

    @Test func halfCloseLetsBothDirectionsFinish() async throws {
        try await onReactor {
            let counted = Shared(-1)
            let server = try TestServer.halfClose(bytes: 100_000) { counted.value = $0 }
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            var buffer = ReceiveBuffer(capacity: 8192)
            #expect(try await socket.receiveAll(using: &buffer) { _ in } == 100_000)
            try await socket.sendAll(TestPattern.bytes(count: 5000))
            try socket.shutdown(.write)
            try server.wait(timeout: .seconds(120))
            #expect(counted.value == 5000)
        }
    }

    @Test func sendToAClosedPeerIsBrokenPipeNotASignal() async throws {
        try await onReactor {
            let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
            let client = try await AsyncSocket.connected(to: try listener.localAddress, timeout: .seconds(120))
            do {
                let server = try await listener.accept()
                server.close()
            }  // The last copy goes: the descriptor closes, and the peer resets what arrives.
            let chunk = [UInt8](repeating: 1, count: 65536)
            await #expect {
                for _ in 0..<1000 { try await client.sendAll(chunk) }
            } throws: { error in
                let kind = (error as? SocketError)?.kind
                return kind == .system(.brokenPipe) || kind == .system(.connectionReset)
            }
        }
    }

    @Test func dontWaitAndNonBlockingSayWouldBlock() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(120))
            var socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            await #expect {
                _ = try await socket.receive(maxCount: 10, flags: .dontWait)
            } throws: { ($0 as? SocketError)?.kind == .wouldBlock }
            try socket.setTimeout(.nonBlocking)
            await #expect {
                _ = try await socket.receive(maxCount: 10)
            } throws: { ($0 as? SocketError)?.kind == .wouldBlock }
        }
    }

    @Test func udpRoundTrip() async throws {
        try await onReactor {
            let server = try TestServer.udpEcho(datagrams: 10, lifetime: .seconds(120))
            let socket = try AsyncSocket(.ipv4, .datagram)
            let message: [UInt8] = Array("ping".utf8)
            #expect(try await socket.send(message, to: server.address) == 4)
            var reply = ReceiveBuffer(capacity: 64)
            let (count, sender) = try await socket.receiveFrom(into: &reply)
            #expect(count == 4 && sender == server.address)
            #expect(reply.withBytes { span in span.withUnsafeBytes { Array($0) } } == message)
        }
    }
}

/// A loopback port with nothing listening on it.
func closedLoopbackPort(_ address: SocketAddress = .ipv4(.loopback, port: 0)) throws -> SocketAddress {
    let socket = try Socket(address.family, .stream)
    try socket.bind(to: address)
    let bound = try socket.localAddress
    try socket.close()
    return bound
}

/// A value shared with a server thread's callback.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()  // ThreadSanitizer sees this one (Synchronization.Mutex it cannot).
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Runs `body` on the reactor's thread (``ReactorExecutor``), so that the synchronous tests
/// running in parallel, which block the cooperative pool's few threads, cannot starve it.
func onReactor(_ body: () async throws -> Void) async throws {
    try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) { try await body() }
}
