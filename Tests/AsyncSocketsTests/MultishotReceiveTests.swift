// The receive loop on both backends, and on io_uring with SOCKETS_IO_URING_MULTISHOT=enabled as
// one multishot receive into the library's provided buffers: byte-exact, re-armed when the
// shared buffers run out, timed out with every delivered byte counted, woken by a close (its
// cancellation is CancellationTests'). The multishot-only checks say so in one line elsewhere
// (`make test` runs them).

@testable import AsyncSockets
import Foundation
import Sockets
import SocketsTesting
import Testing

@Suite struct MultishotReceiveTests {
    @Test func aReceiveLoopMovesEveryByteInChunksOfTheProvidedBuffers() async throws {
        let total = 8 << 20 + 5
        let server = try TestServer.source(bytes: total, seed: 4, lifetime: .seconds(60))
        let ring = AsyncSocket.multishotReceiveLoop ? ReactorGroup.shared.completions : nil
        let before = ring?.completedOperations ?? 0
        try await onReactor {
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(30))
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            var offset = 0
            var intact = true
            var largest = 0
            let count = try await socket.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset, seed: 4) }
                offset += chunk.byteCount
                largest = max(largest, chunk.byteCount)
            }
            #expect(count == total && offset == total && intact)
            if let ring {
                // Provided buffers, or the loop's own when they all were in use.
                #expect(largest <= 64 * 1024)
                #expect(ring.completedOperations - before >= total / IOURingPoller.streamBufferSize,
                        "\(ring.completedOperations - before) completions for \(total) bytes: not a multishot receive")
            } else {
                print("async backend \(AsyncSocket.backend), no multishot loop: its checks need SOCKETS_IO_URING_MULTISHOT=enabled on io_uring")
            }
        }
        try server.wait(timeout: .seconds(30))
    }

    @Test func manyLoopsShareTheProvidedBuffersAndRearmWhenTheyRunOut() async throws {
        let connections = min(300, raiseDescriptorLimit(to: 8000) / 4)  // Both ends here: see ScaleTests.
        let bytesEach = 64 * 1024
        let rearmsBefore = ReactorGroup.shared.completions?.streamRearms ?? 0
        try await onReactor {
            let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0), backlog: connections)
            let address = try listener.localAddress
            var clients: [AsyncSocket] = []
            var served: [AsyncSocket] = []
            for index in 0..<connections {
                async let accepted = listener.accept()
                clients.append(try await AsyncSocket.connected(to: address, timeout: .seconds(30)))
                let connection = try await accepted
                try await connection.sendAll(TestPattern.bytes(count: bytesEach, seed: UInt8(truncatingIfNeeded: index)))
                try connection.shutdown(.write)
                served.append(connection)
            }
            // Every connection's bytes wait in its socket before any loop starts: 18.75 MiB
            // for 4 MiB of provided buffers.
            let queued = clients
            #expect(await eventually {
                queued.allSatisfy { client in
                    ((try? client.withSocket { (socket) throws(SocketError) in try socket.availableBytes }) ?? 0) == bytesEach
                }
            })
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, client) in queued.enumerated() {
                    group.addTask {
                        var buffer = ReceiveBuffer(capacity: 16 * 1024)
                        var offset = 0
                        var intact = true
                        let seed = UInt8(truncatingIfNeeded: index)
                        let count = try await client.receiveAll(using: &buffer) { chunk in
                            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset, seed: seed) }
                            offset += chunk.byteCount
                        }
                        return intact && count == bytesEach && offset == bytesEach
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == connections && results.allSatisfy { $0 })
            _ = served
        }
        if AsyncSocket.multishotReceiveLoop, let ring = ReactorGroup.shared.completions {
            #expect(ring.streamRearms > rearmsBefore, "the shared buffers never ran out: ENOBUFS untested")
            print("io_uring: \(ring.streamRearms - rearmsBefore) multishot receives submitted again")
        } else {
            print("async backend \(AsyncSocket.backend), no multishot loop: no provided buffers to run out of")
        }
    }

    @Test func theTimeoutCountsFromTheLatestChunk() async throws {
        try await onReactor {
            // 10 bytes over 2 s, under a 1.5 s timeout: the whole transfer outlasts the timeout,
            // every gap (0.2 s) is far shorter than it, so a loaded machine's late wake-up of
            // the dripping thread does not turn a gap into a timeout.
            let drip = try TestServer.drip(bytes: 10, every: .milliseconds(200), lifetime: .seconds(60))
            let socket = try await AsyncSocket.connected(to: drip.address, timeout: .milliseconds(1500))
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            #expect(try await socket.receiveAll(using: &buffer) { _ in } == 10)

            let silent = try TestServer.silent(lifetime: .seconds(60))
            let stalled = try await AsyncSocket.connected(to: silent.address, timeout: .milliseconds(200))
            let error = await #expect(throws: SocketError.self) {
                _ = try await stalled.receiveAll(using: &buffer) { _ in }
            }
            #expect(error?.kind == .timeout && error?.bytesTransferred == 0)
        }
    }

    /// A reactor held up past the timeout while bytes arrive reaps them and finds the deadline
    /// passed in the same round: the bytes that came in time win, as with a readiness wait. (The
    /// multishot loop once moved its deadline only when the task ran, after the timer had fired:
    /// CI saw "timed out after 1.5 seconds (after 8 bytes)" with bytes 200 ms apart.)
    @Test func bytesThatArrivedWhileTheReactorWasBusyBeatTheTimeout() async throws {
        try await onReactor {
            // Bytes 100 ms apart under an 800 ms timeout: room for a late drip thread on a
            // loaded machine (under ThreadSanitizer), and still a deadline the blocker outlasts.
            let drip = try TestServer.drip(bytes: 12, every: .milliseconds(100), lifetime: .seconds(60))
            var socket = try await AsyncSocket.connected(to: drip.address, timeout: .seconds(10))
            try socket.setTimeout(.after(.milliseconds(800)))
            // A job on this same reactor that holds its thread for 1.5 s once the loop waits:
            // meanwhile bytes arrive and the loop's deadline passes.
            let blocker = Task(executorPreference: AsyncSocket.reactorExecutor) {
                await Task.yield()
                usleep(1_500_000)  // Blocking on purpose.
            }
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            let count = try await socket.receiveAll(using: &buffer) { _ in }
            await blocker.value
            #expect(count == 12)
        }
    }

    @Test func closingTheSocketEndsAWaitingLoop() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(60))
            let socket = try await AsyncSocket.connected(to: server.address)  // No timeout.
            let loop = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Int in
                var buffer = ReceiveBuffer(capacity: 64 * 1024)
                return try await socket.receiveAll(using: &buffer) { _ in }
            }
            #expect(await eventually { socket.registration.isWaiting(.read) })
            socket.close()
            guard let error = await socketError(of: loop) else {
                Issue.record("the loop ended as if the peer had closed")
                return
            }
            #expect(error.kind == .system(.badDescriptor), "\(error)")
        }
    }
}
