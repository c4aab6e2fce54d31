// The async vectored and batched forms, and the output-span receive, on real loopback sockets.

@testable import AsyncSockets
import Sockets
import SocketsTesting
import Testing

@Suite struct VectoredBatchTests {
    @Test func vectoredSendAllAndReceiveKeepEveryByte() async throws {
        try await onReactor {
            let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0))
            let client = try await AsyncSocket.connected(to: try listener.localAddress, timeout: .seconds(120))
            var server = try await listener.accept()
            // Bounded too: if the sender fails, this loop must not wait for it forever.
            try server.setTimeout(.seconds(120))
            // Three buffers, 6 MiB in all: more than the kernel's buffers usually hold.
            let parts = [TestPattern.bytes(count: 2 << 20, from: 0), TestPattern.bytes(count: 2 << 20, from: 2 << 20),
                         TestPattern.bytes(count: 2 << 20, from: 4 << 20)]
            let raw = parts.map { $0.withUnsafeBytes { $0 } }  // The arrays live to the end of the test.
            async let sending: Void = client.sendAll(vectors: raw)
            var header = [UInt8](repeating: 0, count: 10)
            var body = [UInt8](repeating: 0, count: 65536)
            var received = 0
            var intact = true
            while received < 6 << 20 {
                let h = header.withUnsafeMutableBytes { $0 }, b = body.withUnsafeMutableBytes { $0 }
                let count = try await server.receive(vectors: [h, b])
                #expect(count > 0)
                if count == 0 { break }
                let inHeader = min(count, header.count)
                intact = intact && header.withUnsafeBytes { TestPattern.matches(UnsafeRawBufferPointer(rebasing: $0[..<inHeader]), at: received) }
                    && body.withUnsafeBytes { TestPattern.matches(UnsafeRawBufferPointer(rebasing: $0[..<(count - inHeader)]), at: received + inHeader) }
                received += count
            }
            try await sending
            #expect(received == 6 << 20 && intact)
            withExtendedLifetime(parts) {}
        }
    }

    @Test func segmentedDatagramsArriveCoalescedWithMetadata() async throws {
        try await onReactor {
            let receiver = try AsyncSocket(.ipv6, .datagram)
            try receiver.withSocket { (socket) throws(SocketError) in
                try socket.bind(to: .ipv6(.loopback, port: 0))
                try socket.setReceiveCoalescing(true)
                try socket.setReceivePacketInfo(true)
            }
            let address = try receiver.localAddress
            let sender = try AsyncSocket(.ipv6, .datagram)
            let payload = TestPattern.bytes(count: 1200 * 30 + 77, seed: 5)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: payload.count, alignment: 64)
            defer { buffer.deallocate(); source.deallocate() }
            source.copyBytes(from: payload)
            let sent = try await sender.send(
                OutgoingDatagram(UnsafeRawBufferPointer(source), to: address, segmentSize: 1200, ecn: .capable1))
            #expect(sent == payload.count)
            var got: [[UInt8]] = []
            var bytes = 0
            while bytes < payload.count {
                let received = try await receiver.receiveMessage(into: buffer)
                #expect(received.destination == .v6(.loopback))
                for range in received.segments { got.append(Array(UnsafeRawBufferPointer(rebasing: buffer[range]))) }
                bytes += received.count
            }
            #expect(got == stride(from: 0, to: payload.count, by: 1200).map { Array(payload[$0..<min($0 + 1200, payload.count)]) })
            #expect(try sender.nextQueuedError() == nil)
        }
    }

    @Test func batchesOfDatagramsRoundTrip() async throws {
        try await onReactor {
            let receiver = try AsyncSocket(.ipv4, .datagram)
            try receiver.withSocket { (socket) throws(SocketError) in try socket.bind(to: .ipv4(.loopback, port: 0)) }
            let address = try receiver.localAddress
            let sender = try AsyncSocket(.ipv4, .datagram)
            let payloads = (0..<20).map { TestPattern.bytes(count: 100 + $0, seed: UInt8($0)) }
            let raw = payloads.map { $0.withUnsafeBytes { $0 } }
            #expect(try await sender.sendBatch(raw.map { OutgoingDatagram($0, to: address) }) == 20)
            var batch = DatagramBatch(slots: 32, slotSize: 2048)
            var got: [[UInt8]] = []
            while got.count < 20 {
                let count = try await receiver.receiveBatch(into: &batch)
                for index in 0..<count {
                    got.append(batch.withDatagram(at: index) { span in span.withUnsafeBytes { Array($0) } })
                }
            }
            #expect(got == payloads)
            withExtendedLifetime(payloads) {}
        }
    }

    @Test func receiveIntoAnOutputSpanAppends() async throws {
        try await onReactor {
            let server = try TestServer.source(bytes: 3000, lifetime: .seconds(60))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(120))
            var storage = [UInt8](repeating: 0, count: 4096)
            var filled = 0
            while true {
                var output = OutputRawSpan(buffer: storage.withUnsafeMutableBytes { $0 }, initializedCount: filled)
                let count = try await socket.receive(into: &output)
                filled = output.byteCount
                _ = output.finalize(for: storage.withUnsafeMutableBytes { $0 })
                if count == 0 { break }
            }
            #expect(filled == 3000 && Array(storage[..<3000]) == TestPattern.bytes(count: 3000))
        }
    }
}
