// Which backend runs: the one SOCKETS_ASYNC_BACKEND asks for when the probe allows it, epoll
// otherwise, with the reason. `make test` runs the async suites once per backend, and once with
// io_uring asked for but forced unavailable (SOCKETS_IO_URING=disabled).

@testable import AsyncSockets
import Foundation
import Sockets
import SocketsTesting
import Testing

@Suite struct BackendTests {
    @Test func theBackendIsTheOneAskedForOrEpollWithTheReason() async throws {
        let asked = ProcessInfo.processInfo.environment["SOCKETS_ASYNC_BACKEND"]
        let disabled = ProcessInfo.processInfo.environment["SOCKETS_IO_URING"] == "disabled"
        let support = IOURingSupport.current
        print("async backend: \(AsyncSocket.backend)\(AsyncSocket.backendNote.map { " (\($0))" } ?? "")")
        switch asked {
        case "io_uring"?:
            if support.isAvailable {
                #expect(AsyncSocket.backend == .ioUring)
                #expect(AsyncSocket.backendNote == nil)
            } else {
                #expect(AsyncSocket.backend == .epoll)
                #expect(AsyncSocket.backendNote?.contains(support.unavailableReason ?? "?") == true)
                if disabled { #expect(AsyncSocket.backendNote?.contains("SOCKETS_IO_URING=disabled") == true) }
            }
        default:
            #expect(AsyncSocket.backend == .epoll)
        }
        // Whatever runs moves bytes.
        let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
        let address = try listener.localAddress
        async let accepted = listener.accept()
        let client = try await AsyncSocket.connected(to: address, timeout: .seconds(10))
        let server = try await accepted
        try await client.sendAll(Array("backend".utf8))
        #expect(try await server.receive(maxCount: 64) == Array("backend".utf8))
    }
}

extension BackendTests {
    /// The peer of a socket that was dropped after a cancelled wait, a timed-out wait, or a
    /// close: it must see the end of the stream, so the socket really closed (an io_uring poll
    /// left armed would hold the socket open after its descriptor closed, and no FIN would go).
    @Test(arguments: ["cancelled", "timed out", "closed"])
    func aDroppedSocketReallyCloses(_ how: String) async throws {
        // On a reactor (see CancellationTests.cancellingSendAllReportsTheBytesSent), with an
        // async peer: a blocking accept would hold up the reactor the connecting task may need.
        try await onReactor { try await dropAndCheck(how) }
    }

    private func dropAndCheck(_ how: String) async throws {
        let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
        let address = try listener.localAddress
        let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Void in
            var socket = try await AsyncSocket.connected(to: address, timeout: .seconds(10))
            if how == "timed out" { try socket.setTimeout(.after(.milliseconds(50))) }
            if how == "closed" {
                socket.close()
                return
            }
            _ = try? await socket.receive(maxCount: 16)  // Cancelled or timed out.
        }
        var peer = try await listener.accept()
        if how == "cancelled" {
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
        }
        _ = try? await task.value
        try peer.setTimeout(.after(.seconds(10)))
        // The task and its socket are gone: the peer reads the end of the stream, not a timeout.
        #expect(try await peer.receive(maxCount: 16).isEmpty, "\(how): no end of stream")
    }
}

extension BackendTests {
    /// On io_uring, a receive on the reactor's thread that has to wait goes to the kernel with
    /// its buffer, and comes back with the bytes, a timeout or a cancellation.
    @Test func onIOURingAWaitingReceiveIsAwaitedByCompletion() async throws {
        guard AsyncSocket.backend == .ioUring, let ring = ReactorGroup.shared.completions else {
            print("async backend \(AsyncSocket.backend): the completion path is io_uring's only, not checked here")
            return
        }
        let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))  // Async: see aDroppedSocketReallyCloses.
        let address = try listener.localAddress
        let before = ring.completedOperations
        let task = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> [UInt8] in
            var socket = try await AsyncSocket.connected(to: address, timeout: .seconds(10))
            var bytes = try await socket.receive(maxCount: 64)  // Waits: nothing sent yet.
            try socket.setTimeout(.after(.milliseconds(100)))
            do {
                _ = try await socket.receive(maxCount: 64)
                Issue.record("a receive with nothing to read did not time out")
            } catch {
                #expect((error as? SocketError)?.kind == .timeout, "\(error)")
                bytes += Array("|timeout".utf8)
            }
            return bytes
        }
        var peer = try await listener.accept()
        try peer.setTimeout(.after(.seconds(10)))
        try await Task.sleep(for: .milliseconds(50))
        try await peer.sendAll(Array("hello".utf8))
        #expect(try await task.value == Array("hello|timeout".utf8))
        #expect(ring.completedOperations >= before + 2, "\(ring.completedOperations - before) completions")
    }

    /// On io_uring, a send on the reactor's thread is a SEND submission that goes in with the
    /// reactor's next io_uring_enter: every byte arrives, and one into a peer that never reads
    /// times out with the count it moved.
    @Test func onIOURingASendGoesByCompletion() async throws {
        guard AsyncSocket.backend == .ioUring, let ring = ReactorGroup.shared.completions else {
            print("async backend \(AsyncSocket.backend): sends by completion are io_uring's only, not checked here")
            return
        }
        let total = 4 << 20
        let result = Shared((count: 0, intact: false))
        let sink = try TestServer.sink(limit: total, seed: 2, lifetime: .seconds(60)) { count, matched in
            result.value = (count, matched)
        }
        let before = ring.completedOperations
        try await onReactor {
            let socket = try await AsyncSocket.connected(to: sink.address, timeout: .seconds(30))
            // A small send buffer fills whatever the sink's pace, so sends find it full (and go
            // by completion) rather than a grown buffer taking 4 MiB in a few send(2) calls.
            try socket.withSocket { (socket) throws(SocketError) in try socket.setSendBufferSize(16 * 1024) }
            try await socket.sendAll(TestPattern.bytes(count: total, seed: 2))
            try socket.shutdown(.write)
        }
        try sink.wait(timeout: .seconds(30))
        #expect(result.value.count == total && result.value.intact)
        #expect(ring.completedOperations - before >= 1, "no send completed through the ring")

        // A listener that never accepts: the kernel completes the connection and buffers what
        // fits, and nothing is ever read.
        let neverAccepting = try Socket.listening(on: .ipv4(.loopback, port: 0))
        let address = try neverAccepting.localAddress
        try await onReactor {
            let socket = try await AsyncSocket.connected(to: address, timeout: .milliseconds(300))
            let error = await #expect(throws: SocketError.self) {
                try await socket.sendAll([UInt8](repeating: 1, count: 64 << 20))
            }
            #expect(error?.kind == .timeout && error?.operation == "send", "\(String(describing: error))")
            #expect((error?.bytesTransferred ?? 0) > 0 && (error?.bytesTransferred ?? 0) < 64 << 20)
        }
        try neverAccepting.close()
    }
}
