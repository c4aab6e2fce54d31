// Cancellation resumes a suspended operation at once, with `.cancelled`, the bytes already moved,
// and nothing left registered; and waiting tasks block no thread.

@testable import AsyncSockets
import Sockets
import SocketsTesting
import Testing

@Suite struct CancellationTests {
    @Test func cancellingAReceiveResumesItAtOnce() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(120))
            let started = Shared(false)
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Int in
                let socket = try await AsyncSocket.connected(to: server.address)  // No timeout at all.
                started.value = true
                return try await socket.receive(maxCount: 10).count
            }
            #expect(await eventually { started.value })
            task.cancel()
            // The only bound on this wait is the cancellation itself; the test's own limit is
            // the server's lifetime, after which the receive would end with EOF instead.
            guard let error = await socketError(of: task) else {
                Issue.record("the receive finished instead of being cancelled")
                return
            }
            #expect(error.kind == .cancelled && error.operation == "recv")
        }
    }

    /// With a 64-byte buffer and with a 64 KiB one (a multishot receive on io_uring when
    /// SOCKETS_IO_URING_MULTISHOT is enabled).
    @Test(arguments: [64, 64 * 1024])
    func cancellingTheReceiveLoopReportsTheBytesSoFar(capacity: Int) async throws {
        try await onReactor {
            let server = try TestServer.drip(bytes: 100_000, every: .milliseconds(5), lifetime: .seconds(120))
            let seen = Shared(0)
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Int in
                let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(20))
                var buffer = ReceiveBuffer(capacity: capacity)
                return try await socket.receiveAll(using: &buffer) { chunk in seen.value += chunk.byteCount }
            }
            #expect(await eventually { seen.value >= 10 })
            task.cancel()
            guard let error = await socketError(of: task) else {
                Issue.record("the loop finished instead of being cancelled")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(error.bytesTransferred == seen.value && seen.value < 100_000)
        }
    }

    @Test func cancellingSendAllReportsTheBytesSent() async throws {
        // On a reactor, not Swift's cooperative pool, which the suite's blocking tests can hold
        // for longer than the send's 30 s; the peer is async (a blocking call would hold up the
        // reactor the sending task may need).
        try await onReactor {
            // A peer that reads one byte, then nothing: the send buffers fill and stay full.
            let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
            let address = try listener.localAddress
            let big = [UInt8](repeating: 7, count: 64 << 20)
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws in
                let socket = try await AsyncSocket.connected(to: address, timeout: .seconds(30))
                try socket.withSocket { (socket) throws(SocketError) in try socket.setSendBufferSize(4096) }
                try await socket.sendAll(big)
            }
            var peer = try await listener.accept()
            try peer.setTimeout(.after(.seconds(30)))
            // Bytes have moved once the peer has one: then cancel.
            #expect(try await peer.receive(maxCount: 1) == [7])
            task.cancel()
            guard let error = await socketError(of: task) else {
                Issue.record("64 MiB went into a peer that never reads")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(error.bytesTransferred > 0 && error.bytesTransferred < big.count)
            peer.close()
        }
    }

    @Test func cancellingAcceptResumesIt() async throws {
        try await onReactor {
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws in
                let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
                _ = try await listener.accept()
            }
            try await Task.sleep(for: .milliseconds(20))
            task.cancel()
            guard let error = await socketError(of: task) else {
                Issue.record("accept returned a connection nobody made")
                return
            }
            #expect(error.kind == .cancelled && error.operation == "accept")
        }
    }

    @Test func cancellingAConnectResumesIt() async throws {
        let backlog = try FullBacklogListener()  // Its set-up blocks (connects): not on the reactor.
        let address = backlog.address
        try await onReactor {
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws in
                _ = try await AsyncSocket.connected(to: address)  // Would wait for the kernel.
            }
            try await Task.sleep(for: .milliseconds(20))
            task.cancel()
            guard let error = await socketError(of: task) else {
                Issue.record("connected to a full backlog")
                return
            }
            #expect(error.kind == .cancelled)
        }
        withExtendedLifetime(backlog) {}  // Its queue stays full until here.
    }

    @Test func cancellingAHappyEyeballsRaceResumesIt() async throws {
        let stalled4 = try FullBacklogListener(on: .ipv4(.loopback, port: 0))
        let stalled6 = try FullBacklogListener(on: .ipv6(.loopback, port: 0))
        let addresses = [stalled6.address, stalled4.address]
        try await onReactor {
            let started = Shared(0)
            let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws in
                _ = try await AsyncSocket.connected(toAny: addresses,
                                                    strategy: .happyEyeballs(attemptDelay: .milliseconds(10))) { _ in
                    started.value += 1
                }
            }
            // Cancelled once both attempts run (a fixed wait could end before a busy reactor
            // started the second).
            #expect(await eventually { started.value == 2 })
            task.cancel()
            guard let error = await socketError(of: task) else {
                Issue.record("connected to a full backlog")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(error.attempts.count == 2)
        }
        withExtendedLifetime((stalled4, stalled6)) {}  // Their queues stay full until here.
    }

    @Test func waitingTasksBlockNoThread() async throws {
        try await onReactor {
            // As many receives waiting on silent peers as the cooperative pool has threads (and
            // more); one more task still runs to completion.
            let server = try TestServer.silent(connections: 8, lifetime: .seconds(120))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
                        _ = try? await socket.receive(maxCount: 1)
                    }
                }
                let echo = try TestServer.echo(lifetime: .seconds(120))
                let socket = try await AsyncSocket.connected(to: echo.address, timeout: .seconds(120))
                try await socket.sendAll([1, 2, 3])
                #expect(try await socket.receive(maxCount: 3) == [1, 2, 3])
                group.cancelAll()
            }
        }
    }

    @Test func happyEyeballsRacesPastAStalledFamily() async throws {
        // Their set-up blocks (connects): not on the reactor.
        let stalledListeners = [true: try FullBacklogListener(on: .ipv6(.loopback, port: 0)),
                                false: try FullBacklogListener(on: .ipv4(.loopback, port: 0))]
        try await onReactor {
            for ipv6First in [true, false] {
                let stalled = stalledListeners[ipv6First]!
                let server = try TestServer.silent(on: ipv6First ? .ipv4(.loopback, port: 0) : .ipv6(.loopback, port: 0),
                                                   lifetime: .seconds(120))
                let started = Shared<[SocketAddress]>([])
                let socket = try await AsyncSocket.connected(
                    toAny: [stalled.address, server.address], timeout: .seconds(100),
                    strategy: .happyEyeballs(attemptDelay: .milliseconds(50))) { address in started.value.append(address) }
                #expect(started.value == [stalled.address, server.address])
                #expect(try socket.remoteAddress == server.address)
                #expect(socket.timeout == .after(.seconds(100)))
            }
        }
    }

    @Test func happyEyeballsWithBothStalledTimesOutListingBoth() async throws {
        let stalled6 = try FullBacklogListener(on: .ipv6(.loopback, port: 0))
        let stalled4 = try FullBacklogListener(on: .ipv4(.loopback, port: 0))
        try await onReactor {
            // The second attempt starts 50 ms in; the 2 s timeout leaves a busy reactor room.
            await #expect {
                _ = try await AsyncSocket.connected(toAny: [stalled6.address, stalled4.address], timeout: .seconds(2),
                                                    strategy: .happyEyeballs(attemptDelay: .milliseconds(50)))
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .timeout && Set(error.attempts.map(\.address)) == [stalled6.address, stalled4.address]
            }
        }
    }
}

/// The library error a task ended with, or `nil` if it succeeded (or failed otherwise).
func socketError<Success: Sendable>(of task: Task<Success, any Error>) async -> SocketError? {
    guard case .failure(let error) = await task.result else { return nil }
    return error as? SocketError
}

@Suite struct SharingTests {
    @Test func closeWakesAWaitingReceive() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(120))
            let socket = try await AsyncSocket.connected(to: server.address)  // No timeout.
            let waiting = Task(executorPreference: AsyncSocket.reactorExecutor) { try await socket.receive(maxCount: 10) }
            #expect(await eventually { socket.registration.isWaiting(.read) })
            socket.close()
            let result = await waiting.result
            switch result {
            case .success(let bytes):
                #expect(bytes.isEmpty)  // The shutdown arrived first: end of stream.
            case .failure(let error):
                #expect((error as? SocketError)?.reason == "the socket was closed")
            }
        }
    }

    @Test func aSecondReceiverIsRefusedNotHung() async throws {
        try await onReactor {
            let server = try TestServer.silent(lifetime: .seconds(120))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            let first = Task(executorPreference: AsyncSocket.reactorExecutor) { try await socket.receive(maxCount: 10) }
            #expect(await eventually { socket.registration.isWaiting(.read) })
            await #expect {
                _ = try await socket.receive(maxCount: 10)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .system(.alreadyInProgress) && error.reason.contains("another task")
            }
            first.cancel()
            _ = await first.result
        }
    }

    @Test func oneTaskReceivesWhileAnotherSends() async throws {
        try await onReactor {
            let echo = try TestServer.echo(lifetime: .seconds(120))
            let socket = try await AsyncSocket.connected(to: echo.address, timeout: .seconds(120))
            let message = TestPattern.bytes(count: 1 << 20)
            async let sent: Void = socket.sendAll(message)
            var back = 0
            var intact = true
            var buffer = ReceiveBuffer(capacity: 65536)
            while back < message.count {
                buffer.removeAll()
                let count = try await socket.receive(into: &buffer)
                if count == 0 { break }
                buffer.withBytes { span in span.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: back) } }
                back += count
            }
            try await sent
            #expect(back == message.count && intact)
        }
    }
}
