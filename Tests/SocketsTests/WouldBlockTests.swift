// Would-block is not a timeout: MSG_DONTWAIT and non-blocking sockets say `.wouldBlock`; only an
// expired kernel timeout (SO_RCVTIMEO/SO_SNDTIMEO) or the library's own says `.timeout`.

import Sockets
import SocketsTesting
import Testing
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@Suite struct WouldBlockTests {
    /// A receive on an empty queue, the kind it reports, and how long the socket waited.
    private func receiveKind(
        flags: MessageFlags, kernelTimeout: Duration?
    ) throws -> SocketError.Kind? {
        let pair = try connectedPair()
        if let kernelTimeout { try pair.client.setReceiveTimeout(kernelTimeout) }
        do throws(SocketError) {
            _ = try pair.client.receive(maxCount: 16, flags: flags)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func dontWaitOnABlockingSocketIsWouldBlock() throws {
        #expect(try receiveKind(flags: .dontWait, kernelTimeout: nil) == .wouldBlock)
    }

    @Test func anExpiredKernelTimeoutIsATimeout() throws {
        #expect(try receiveKind(flags: [], kernelTimeout: .milliseconds(50)) == .timeout)
    }

    @Test func dontWaitWithAKernelTimeoutSetIsStillWouldBlock() throws {
        #expect(try receiveKind(flags: .dontWait, kernelTimeout: .seconds(30)) == .wouldBlock)
    }

    @Test func dontWaitOnASocketWithATimeoutDoesNotWait() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.seconds(30))
        #expect {
            _ = try pair.client.receive(maxCount: 16, flags: .dontWait)
        } throws: { ($0 as? SocketError)?.kind == .wouldBlock }
    }

    @Test func sendWithDontWaitOnAFullBufferIsWouldBlock() throws {
        let pair = try connectedPair()
        try pair.client.setSendBufferSize(4096)
        let chunk = [UInt8](repeating: 7, count: 65536)
        // Fill the send buffer and the peer's receive buffer (nobody reads), then one more.
        #expect {
            for _ in 0..<10_000 {
                _ = try chunk.withUnsafeBytes { try pair.client.send($0, flags: .dontWait) }
            }
        } throws: { ($0 as? SocketError)?.kind == .wouldBlock }
    }

    /// One send far larger than both ends' buffers, nobody reading: it times out part way, says
    /// how much it moved, and exactly that much arrives. (A loop of smaller sends could time
    /// out at the start of a call, with nothing moved by that call: CI once saw that, under ASan.)
    @Test func anExpiredKernelSendTimeoutIsATimeout() throws {
        var pair = try connectedPair()
        try pair.client.setSendBufferSize(4096)
        try pair.client.setSendTimeout(.milliseconds(50))
        let bytes = [UInt8](repeating: 7, count: 32 << 20)
        let error = #expect(throws: SocketError.self) { try pair.client.sendAll(bytes) }
        #expect(error?.kind == .timeout, "\(String(describing: error))")
        let moved = error?.bytesTransferred ?? 0
        #expect(moved > 0 && moved < bytes.count, "moved \(moved) of \(bytes.count)")
        try pair.client.shutdown(.write)
        try pair.server.setTimeout(.seconds(30))
        var buffer = ReceiveBuffer(capacity: 1 << 16)
        #expect(try pair.server.receiveAll(using: &buffer) { _ in } == moved)
    }
}

/// EBADF on a descriptor a Socket owns is a bug: the program stops, naming the operation.
@Suite struct ProgrammerErrorTests {
    @Test func aDescriptorClosedBehindTheSocketsBackStopsTheProgram() async throws {
        let result = await #expect(processExitsWith: .signal(SIGILL), observing: [\.standardErrorContent]) {
            let socket = try Socket(.ipv4, .datagram)
            socket.withUnsafeDescriptor { descriptor in _ = closeBehindTheSocketsBack(descriptor) }
            _ = try socket.localAddress
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("getsockname: Bad file descriptor (the descriptor is not open"))
    }

    @Test func aSendOnAClosedDescriptorStopsTheProgram() async throws {
        let result = await #expect(processExitsWith: .signal(SIGILL), observing: [\.standardErrorContent]) {
            let pair = try connectedPair()
            pair.client.withUnsafeDescriptor { descriptor in _ = closeBehindTheSocketsBack(descriptor) }
            try pair.client.sendAll([1, 2, 3])
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("send: Bad file descriptor"))
    }
}

/// Closes `descriptor` with the C library, as a bug in a program would.
func closeBehindTheSocketsBack(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
